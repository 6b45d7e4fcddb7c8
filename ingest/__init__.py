"""Ingestion: load, clean, classify, extract facts, chunk, embed and store programme documents."""
