// The views a profile can be shown in. One entry per view: adding a view is a component and a
// line here; the tabs, the URL's `view=` and the default view all come from this list and the
// profile's capabilities (computed by the engine).
import type { Component } from 'svelte';
import type { ProfileSummary, ViewId } from '../../workers/api/types.ts';
import type { ViewProps } from './view-props.ts';
import AllocationView from './allocation/AllocationView.svelte';
import DominatorFlame from './flame/DominatorFlame.svelte';
import FlameView from './flame/FlameView.svelte';
import ComparisonView from './heap/ComparisonView.svelte';
import ContainmentView from './heap/ContainmentView.svelte';
import HeapView from './heap/HeapView.svelte';
import StatisticsView from './heap/StatisticsView.svelte';
import TimelineView from './timeline/TimelineView.svelte';
import TopView from './top/TopView.svelte';

export interface ViewEntry {
  id: ViewId;
  label(profile: ProfileSummary): string;
  available(profile: ProfileSummary): boolean;
  component: Component<ViewProps>;
}

const offers = (id: ViewId) => (p: ProfileSummary) => p.capabilities.views.includes(id);

export const VIEWS: readonly ViewEntry[] = [
  { id: 'heap', label: () => 'Summary', available: offers('heap'), component: HeapView },
  { id: 'comparison', label: () => 'Comparison', available: offers('comparison'), component: ComparisonView },
  { id: 'containment', label: () => 'Containment', available: offers('containment'), component: ContainmentView },
  { id: 'statistics', label: () => 'Statistics', available: offers('statistics'), component: StatisticsView },
  { id: 'timeline', label: () => 'Timeline', available: offers('timeline'), component: TimelineView },
  { id: 'allocation', label: () => 'Allocation', available: offers('allocation'), component: AllocationView },
  { id: 'dominators', label: () => 'Dominator flame graph', available: offers('dominators'), component: DominatorFlame },
  { id: 'top', label: (p) => (p.heap ? 'Allocation sites' : 'Top'), available: offers('top'), component: TopView },
  { id: 'flame', label: (p) => (p.heap ? 'Allocation flame graph' : 'Flame graph'), available: offers('flame'), component: FlameView },
];

export const VIEW_IDS = VIEWS.map((v) => v.id);

/** The views a profile offers, in the registry's order. */
export function viewsOf(profile: ProfileSummary): ViewEntry[] {
  return VIEWS.filter((v) => v.available(profile));
}

/** The entry to show: the asked one if the profile offers it, else the profile's default. */
export function viewFor(profile: ProfileSummary, id: ViewId): ViewEntry {
  const offered = viewsOf(profile);
  return offered.find((v) => v.id === id) ?? offered.find((v) => v.id === profile.capabilities.defaultView) ?? offered[0];
}
