"""The test kit: throwaway PostgreSQL servers, the migrated stack, the Supabase and PostgREST
stand-ins, and seeding helpers. Tests, the demo and the benchmarks use it; production never does.
"""
