-- The risk register sorted by threat, inherent value or asset count, the heat
-- map and the commonest filter answer from an index at a prefecture's size
-- (1,000,000 assets; see BENCHMARKS.md).
CREATE INDEX risk_pairs_sort_threat ON risk_pairs(active, threat_code, id);
CREATE INDEX risk_pairs_sort_inherent ON risk_pairs(active, inherent_value, id);
CREATE INDEX risk_pairs_sort_assets ON risk_pairs(active, asset_count, id);
CREATE INDEX risk_pairs_heat ON risk_pairs(active, residual_likelihood, impact, asset_count);
CREATE INDEX risk_pairs_threat_treatment ON risk_pairs(threat_code, treatment_state, active, residual_value, id);
