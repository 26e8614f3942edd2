package cli

import "github.com/spf13/cobra"

// seeDurations ends the help of every flag and argument that takes a
// duration: they all read pkg/period's one grammar.
const seeDurations = `see "picup help durations"`

// newDurationsHelp is "picup help durations": the grammar of durations,
// as docs/cli.md#durations documents it.
func newDurationsHelp() *cobra.Command {
	return &cobra.Command{
		Use:   "durations",
		Short: "How to write durations (30d, 12h, 90min, 6mo): one grammar for every flag",
		Long: `Every flag and argument that takes a length of time (share --expires,
share extend, trash retention, trash empty --older-than, offload
--older-than, the TUI's share dialog) reads the same grammar: a whole
number and a unit, with no space.

  s     seconds
  min   minutes
  h     hours
  d     days
  w     weeks (7 days)
  mo    months of 30 days (not calendar months)
  y     years of 365 days

Case does not matter. "m" alone is refused, since it means minutes to some
and months to others: write 1min or 1mo. No fractions (36h, not 1.5d), no
combinations (90min, not 1h30min), nothing negative.

picup prints durations in the largest unit that divides them (90min, 36h,
2w, 30d; months as days: 6mo prints as 180d), or in words ("30 days").`,
	}
}
