/**
 * The live terminal's screen: an @xterm/xterm Terminal with the fit addon, read-only (no input
 * reaches the session from here), sized to its container. Behind the small TerminalView interface so
 * LiveTerminal can be tested without a browser's layout.
 */

import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

/** What LiveTerminal needs of a terminal screen. */
export interface TerminalView {
  /** Writes data; `done` runs once it is parsed (the reader waits for it before asking for more). */
  write(data: string, done: () => void): void;
  /** Clears the screen and the scrollback (before a resync). */
  clear(): void;
  dispose(): void;
}

/** Makes a TerminalView inside an element. */
export type TerminalFactory = (element: HTMLElement) => TerminalView;

/** Rows kept in the viewer's scrollback (the host keeps its own bounded ring; this is what can be scrolled back). */
export const VIEW_SCROLLBACK_ROWS = 5_000;

/** A dark terminal in both themes, as a terminal tab looks; text and background meet WCAG AA. */
const THEME = { background: '#0d1117', foreground: '#e6edf3', cursor: '#0d1117', selectionBackground: '#264f78' };

/**
 * xterm 6 writes its theme and row rules into <style> elements, which the dashboard's CSP
 * (style-src 'self', no 'unsafe-inline') blocks (xtermjs/xterm.js#4445). A constructed stylesheet is
 * not subject to style-src (the route xterm's own DOM renderer took in xtermjs/xterm.js#4611), so
 * the rules of those elements are mirrored into one, and kept in step as xterm rewrites them.
 */
function mirrorStyles(element: HTMLElement): { dispose(): void } {
  const doc = element.ownerDocument;
  if (typeof CSSStyleSheet === 'undefined' || !('adoptedStyleSheets' in doc) || typeof MutationObserver === 'undefined') return { dispose: () => undefined };
  const sheet = new CSSStyleSheet();
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  let applied = '';
  const sync = (): void => {
    const css = [...element.querySelectorAll('style')].map((s) => s.textContent ?? '').join('\n');
    if (css === applied) return;
    applied = css;
    try {
      sheet.replaceSync(css);
    } catch {
      // A rule the browser cannot parse: keep the previous rules.
    }
  };
  // The rows change many times a second while output streams: only a change to a <style> counts.
  const touchesStyle = (m: MutationRecord): boolean =>
    (m.target.nodeType === Node.TEXT_NODE ? m.target.parentNode : m.target)?.nodeName === 'STYLE' || [...m.addedNodes, ...m.removedNodes].some((n) => n.nodeName === 'STYLE');
  const observer = new MutationObserver((mutations) => {
    if (mutations.some(touchesStyle)) sync();
  });
  observer.observe(element, { subtree: true, childList: true, characterData: true });
  sync();
  return {
    dispose: () => {
      observer.disconnect();
      doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
    },
  };
}

/** The real screen: xterm.js, fitted to the element and refitted when it is resized. */
export const createXtermView: TerminalFactory = (element) => {
  const styles = mirrorStyles(element);
  const terminal = new Terminal({
    disableStdin: true,
    cursorBlink: false,
    cursorInactiveStyle: 'none',
    scrollback: VIEW_SCROLLBACK_ROWS,
    convertEol: false,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
    fontSize: 13,
    theme: THEME,
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  try {
    terminal.open(element);
  } catch (e) {
    // A page without what xterm needs (matchMedia, layout): nothing of it is left behind.
    terminal.dispose();
    styles.dispose();
    throw e;
  }
  const refit = (): void => {
    try {
      fit.fit();
    } catch {
      // Not laid out yet (a hidden tab): the next resize fits it.
    }
  };
  refit();
  const resizes = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(refit);
  resizes?.observe(element);
  return {
    write: (data, done) => terminal.write(data, done),
    clear: () => terminal.reset(),
    dispose: () => {
      resizes?.disconnect();
      terminal.dispose();
      styles.dispose();
    },
  };
};
