"""The test kit: what tests, the demo and the benchmarks build on; production never does.

Throwaway PostgreSQL servers, the migrated stack, the Supabase and PostgREST stand-ins, and
seeding helpers.
"""
