package postgres

// MigrationCount is the number of schema steps, for the migration tests.
func MigrationCount() int { return len(migrations) }
