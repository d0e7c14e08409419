// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE_DEPTH_WINDOW_MS } from '../store/reduceEvents.js';
import { QueueChart } from './QueueChart.js';

afterEach(cleanup);

const NOW = 10 * QUEUE_DEPTH_WINDOW_MS;

describe('QueueChart', () => {
  it('names the last hour\'s depth and longest wait, and draws both as step lines', () => {
    const samples = [
      { time: NOW - QUEUE_DEPTH_WINDOW_MS - 10_000, depth: 9, waitMs: 600_000 }, // older than the window: left out
      { time: NOW - 30 * 60_000, depth: 3, waitMs: 45_000 },
      { time: NOW - 10_000, depth: 1, waitMs: 5_000 },
    ];
    const { container } = render(<QueueChart samples={samples} now={NOW} />);
    const img = screen.getByRole('img', { name: 'Queue depth over the last 60 minutes: now 1, peak 3; longest wait 45s' });
    const caption = container.querySelector('figcaption');
    expect(img.getAttribute('aria-describedby')).toBe(caption?.id);
    expect(caption?.textContent).toContain('queue depth (peak 3)');
    expect(caption?.textContent).toContain('longest wait (45s)');
    expect(container.querySelector('path.line')?.getAttribute('d')).toBe('M120.0,2.0H239.3V31.3H240');
    expect(container.querySelector('path.wait')?.getAttribute('d')).toBe('M120.0,2.0H239.3V41.1H240');
  });

  it('draws no wait line when nobody waited, and a flat depth at zero', () => {
    const { container } = render(<QueueChart samples={[{ time: NOW - 60_000, depth: 0, waitMs: 0 }]} now={NOW} />);
    expect(screen.getByRole('img', { name: /now 0, peak 0; longest wait 0s/ })).toBeTruthy();
    expect(container.querySelector('path.wait')).toBeNull();
    expect(container.querySelector('path.line')?.getAttribute('d')).toBe('M236.0,46.0H240');
  });
});
