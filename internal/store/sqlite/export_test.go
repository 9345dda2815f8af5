package sqlite

// MigrationSteps are the schema steps, for tests that build an older schema.
var MigrationSteps = migrations
