"""Loading a store into a database through the ingestion API, as the Edge Functions would."""
