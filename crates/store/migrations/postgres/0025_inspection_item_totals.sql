-- Running totals of each checklist item over a campaign's answers (postgres),
-- kept by each save as the questionnaires keep theirs: a campaign's items
-- are its own frozen copy, so an item's totals are the campaign's, and the
-- results (per chapter, per item, the weakest items) read one row per item
-- (300) instead of every answer (5,000 units × 300 items). points: done 2,
-- partial 1; applicable: answers other than not_applicable.
-- Keep in step with ../sqlite/0025_inspection_item_totals.sql.
ALTER TABLE checklist_items ADD COLUMN answered BIGINT NOT NULL DEFAULT 0;
ALTER TABLE checklist_items ADD COLUMN points BIGINT NOT NULL DEFAULT 0;
ALTER TABLE checklist_items ADD COLUMN applicable BIGINT NOT NULL DEFAULT 0;
ALTER TABLE checklist_items ADD COLUMN not_done BIGINT NOT NULL DEFAULT 0;

UPDATE checklist_items SET
    answered = (SELECT COUNT(*) FROM inspection_answers a WHERE a.item_id = checklist_items.id),
    points = COALESCE((SELECT SUM(CASE a.answer WHEN 'done' THEN 2 WHEN 'partial' THEN 1 ELSE 0 END)
        FROM inspection_answers a WHERE a.item_id = checklist_items.id), 0),
    applicable = (SELECT COUNT(*) FROM inspection_answers a
        WHERE a.item_id = checklist_items.id AND a.answer <> 'not_applicable'),
    not_done = (SELECT COUNT(*) FROM inspection_answers a
        WHERE a.item_id = checklist_items.id AND a.answer = 'not_done');
