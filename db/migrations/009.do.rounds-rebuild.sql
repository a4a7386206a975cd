-- The rebuild (read-models/registry.ts) empties every read model's tables before refilling them from the events;
-- `rounds` is one of them now.
GRANT DELETE ON rounds TO ocop_app;
