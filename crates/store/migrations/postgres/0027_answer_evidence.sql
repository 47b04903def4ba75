-- Evidence of a self-inspection answer (自己点検の証跡): an evidence is linked
-- to the questionnaire (owner_kind 'inspection_target', owner_id its id) and
-- names the checklist item it supports. Links of other records leave it null.
ALTER TABLE evidence_links ADD COLUMN item_id BIGINT;
