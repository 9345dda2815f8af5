package sqlstore

// BatchStats reports how many write transactions ran in how many database
// transactions (group commit).
func BatchStats(s *Store) (requests, batches int64) {
	if s.batch == nil {
		return 0, 0
	}
	return s.batch.requests.Load(), s.batch.batches.Load()
}
