package sqlite

// MigrationSteps are the schema steps, for tests that build an older schema.
var MigrationSteps = migrations

// OpenWith is Open with a change to the store's flavor.
var OpenWith = open
