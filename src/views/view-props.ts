// What every view of the registry receives.
import type { ProfileSummary } from '../../workers/api/types.ts';

export interface ViewProps {
  /** The profile on screen. */
  profile: ProfileSummary;
  /** The other open profiles (bases of a diff, snapshots to compare with). */
  others: ProfileSummary[];
}
