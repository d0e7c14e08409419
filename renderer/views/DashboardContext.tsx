/** The store, the bridge and the clock, handed to every view through one React context. */

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { DashboardBridge } from '../../common/dashboard.js';
import type { DashboardState, DashboardStore } from '../store/createDashboardStore.js';

/** What the views read from the context. */
export interface DashboardContextValue {
  store: DashboardStore;
  bridge: DashboardBridge;
  /** Clock for elapsed times and countdowns (milliseconds since the epoch). */
  now: () => number;
}

const DashboardContext = createContext<DashboardContextValue | null>(null);

/** Provides the store, the bridge and the clock (default Date.now) to the views below. */
export function DashboardProvider(props: { store: DashboardStore; bridge: DashboardBridge; now?: () => number; children: ReactNode }) {
  const [value] = useState<DashboardContextValue>(() => ({ store: props.store, bridge: props.bridge, now: props.now ?? Date.now }));
  return <DashboardContext.Provider value={value}>{props.children}</DashboardContext.Provider>;
}

/** The context value; throws outside a DashboardProvider (a wiring bug). */
export function useDashboard(): DashboardContextValue {
  const value = useContext(DashboardContext);
  if (value === null) throw new Error('useDashboard needs a <DashboardProvider> above it.');
  return value;
}

/** Reads a slice of the dashboard store. The selector must return stored values, not new objects. */
export function useDashboardStore<T>(selector: (state: DashboardState) => T): T {
  return useStore(useDashboard().store, selector);
}

/** Interval at which live times (elapsed, idle, ETA) re-render. */
export const TICK_MS = 1_000;

/** The clock's time now, re-read every TICK_MS so live times move. */
export function useNow(): number {
  const { now } = useDashboard();
  const [time, setTime] = useState(now);
  useEffect(() => {
    const handle = setInterval(() => setTime(now()), TICK_MS);
    return () => clearInterval(handle);
  }, [now]);
  return time;
}
