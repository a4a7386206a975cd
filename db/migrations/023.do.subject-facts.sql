-- Subject facts (issue 19): the legal form, size, sales channels and value-chain link a registration or a dossier
-- states, kept on the case's row so that plans can count the share of cooperatives and SMEs among the subjects of
-- recognised products, and figures can group by legal form. Null where never stated (every case before this).
ALTER TABLE cases
  ADD COLUMN subject_legal_form text,
  ADD COLUMN subject_sme boolean,
  ADD COLUMN sales_channels text[],
  ADD COLUMN value_chain_linked boolean;
COMMENT ON COLUMN cases.subject_legal_form IS 'cooperative, cooperative_group, company or household, as last stated; null if never stated.';
COMMENT ON COLUMN cases.subject_sme IS 'The subject is a small or medium enterprise, as last stated.';
COMMENT ON COLUMN cases.sales_channels IS 'Where the subject sells the product, as last stated.';
COMMENT ON COLUMN cases.value_chain_linked IS 'The subject is linked in a value chain with its suppliers, as last stated.';
