package syncer

// WithJournals makes a sync write journals between full snapshots
// whatever the catalog's size, as it does for a catalog of millions.
func WithJournals(o Options) Options {
	o.journalAlways = true
	return o
}
