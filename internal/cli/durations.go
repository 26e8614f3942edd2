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

// seeSizes ends the help of every flag and argument that takes a size:
// they all read pkg/bytesize's one grammar.
const seeSizes = `see "picup help sizes"`

// newSizesHelp is "picup help sizes": the grammar of sizes, as
// docs/cli.md#sizes documents it.
func newSizesHelp() *cobra.Command {
	return &cobra.Command{
		Use:   "sizes",
		Short: "How to write sizes (500MB, 1.5TB, 20GiB): one grammar for every flag",
		Long: `Every flag and argument that takes a size (user add --quota, user
set-quota, sync --bwlimit, share --upload-max) reads the same grammar: a
number, whole or with a decimal point, and a unit.

  B                     bytes
  kB (or KB), MB, GB,   powers of 1000, as disks and cloud storage count:
  TB, PB                1GB = 1,000,000,000 bytes
  KiB, MiB, GiB,        powers of 1024: 1GiB = 1,073,741,824 bytes
  TiB, PiB

The letters before the B may be of either case (500mB, 20GIB); the B
is always a capital B, since a small b means bits: 50Gb is refused, write 50GB. The unit is never left out: a
bare 50 is refused (bytes to some programs, KiB to rclone), and so is a
single letter (2M: write 2MB or 2MiB). One space may stand between the
number and the unit ("1.5 TB"). Zero and negative sizes are refused; a
quota of no limit is the word none.

picup prints sizes in powers of 1000 (12.3 MB), as it reads them.`,
	}
}
