from django.db import migrations

# Everything a budget line, a published total or an initiative is linked to belongs to one strategy: a line's
# chapter, the initiatives it funds and its footnotes; a total's chapter and footnote. The pages build a strategy
# from its own rows alone, so a link into another strategy broke them (a 2021 line funding a 2030 initiative).
# The forms refuse such a link; these triggers refuse it whatever writes it. Each checks the rows a statement
# wrote (transition tables), so a bulk load is checked in one query per table. Moving a chapter, an initiative
# or a footnote into another strategy is refused while something of the old strategy refers to it.
CHECK = """
CREATE OR REPLACE FUNCTION budgets_refuse_other_strategy(what text, offending text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF offending IS NOT NULL THEN
        RAISE EXCEPTION '% belongs to another strategy than what it is linked to (%)', what, offending
            USING ERRCODE = 'check_violation';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION budgets_lines_inside_one_strategy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM budgets_refuse_other_strategy('budget line', (
        SELECT string_agg(DISTINCT line.id::text, ', ')
        FROM new_lines line
        WHERE EXISTS (
                SELECT 1 FROM initiatives_chapter chapter
                WHERE chapter.id = line.chapter_id AND chapter.strategy_id <> line.strategy_id)
            OR EXISTS (
                SELECT 1 FROM budgets_budgetline_initiatives covered
                JOIN initiatives_initiative initiative ON initiative.id = covered.initiative_id
                JOIN initiatives_chapter chapter ON chapter.id = initiative.chapter_id
                WHERE covered.budgetline_id = line.id AND chapter.strategy_id <> line.strategy_id)
            OR EXISTS (
                SELECT 1 FROM budgets_budgetline_footnotes marked
                JOIN budgets_footnote footnote ON footnote.id = marked.footnote_id
                WHERE marked.budgetline_id = line.id AND footnote.strategy_id <> line.strategy_id)
    ));
    RETURN NULL;
END
$$;

CREATE TRIGGER budgets_lines_inside_one_strategy_inserted AFTER INSERT ON budgets_budgetline
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION budgets_lines_inside_one_strategy();
CREATE TRIGGER budgets_lines_inside_one_strategy_updated AFTER UPDATE ON budgets_budgetline
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION budgets_lines_inside_one_strategy();

CREATE OR REPLACE FUNCTION budgets_coverage_inside_one_strategy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM budgets_refuse_other_strategy('initiative funded by a budget line', (
        SELECT string_agg(DISTINCT covered.initiative_id || ' by line ' || covered.budgetline_id, ', ')
        FROM new_links covered
        JOIN budgets_budgetline line ON line.id = covered.budgetline_id
        JOIN initiatives_initiative initiative ON initiative.id = covered.initiative_id
        JOIN initiatives_chapter chapter ON chapter.id = initiative.chapter_id
        WHERE chapter.strategy_id <> line.strategy_id
    ));
    RETURN NULL;
END
$$;

CREATE TRIGGER budgets_coverage_inside_one_strategy_inserted AFTER INSERT ON budgets_budgetline_initiatives
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION budgets_coverage_inside_one_strategy();
CREATE TRIGGER budgets_coverage_inside_one_strategy_updated AFTER UPDATE ON budgets_budgetline_initiatives
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION budgets_coverage_inside_one_strategy();

CREATE OR REPLACE FUNCTION budgets_markers_inside_one_strategy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM budgets_refuse_other_strategy('footnote of a budget line', (
        SELECT string_agg(DISTINCT marked.footnote_id || ' on line ' || marked.budgetline_id, ', ')
        FROM new_links marked
        JOIN budgets_budgetline line ON line.id = marked.budgetline_id
        JOIN budgets_footnote footnote ON footnote.id = marked.footnote_id
        WHERE footnote.strategy_id <> line.strategy_id
    ));
    RETURN NULL;
END
$$;

CREATE TRIGGER budgets_markers_inside_one_strategy_inserted AFTER INSERT ON budgets_budgetline_footnotes
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION budgets_markers_inside_one_strategy();
CREATE TRIGGER budgets_markers_inside_one_strategy_updated AFTER UPDATE ON budgets_budgetline_footnotes
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION budgets_markers_inside_one_strategy();

CREATE OR REPLACE FUNCTION budgets_totals_inside_one_strategy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM budgets_refuse_other_strategy('published total', (
        SELECT string_agg(DISTINCT total.id::text, ', ')
        FROM new_totals total
        LEFT JOIN initiatives_chapter chapter ON chapter.id = total.chapter_id
        LEFT JOIN budgets_footnote footnote ON footnote.id = total.footnote_id
        WHERE chapter.strategy_id <> total.strategy_id OR footnote.strategy_id <> total.strategy_id
    ));
    RETURN NULL;
END
$$;

CREATE TRIGGER budgets_totals_inside_one_strategy_inserted AFTER INSERT ON budgets_publishedtotal
    REFERENCING NEW TABLE AS new_totals FOR EACH STATEMENT EXECUTE FUNCTION budgets_totals_inside_one_strategy();
CREATE TRIGGER budgets_totals_inside_one_strategy_updated AFTER UPDATE ON budgets_publishedtotal
    REFERENCING NEW TABLE AS new_totals FOR EACH STATEMENT EXECUTE FUNCTION budgets_totals_inside_one_strategy();

-- An initiative moved to a chapter of another strategy while lines of the old one fund it.
CREATE OR REPLACE FUNCTION budgets_initiatives_stay_in_their_strategy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM budgets_refuse_other_strategy('initiative', (
        SELECT string_agg(DISTINCT initiative.id::text, ', ')
        FROM new_initiatives initiative
        JOIN initiatives_chapter chapter ON chapter.id = initiative.chapter_id
        JOIN budgets_budgetline_initiatives covered ON covered.initiative_id = initiative.id
        JOIN budgets_budgetline line ON line.id = covered.budgetline_id
        WHERE line.strategy_id <> chapter.strategy_id
    ));
    RETURN NULL;
END
$$;

CREATE TRIGGER budgets_initiatives_stay_in_their_strategy AFTER UPDATE ON initiatives_initiative
    REFERENCING NEW TABLE AS new_initiatives
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_initiatives_stay_in_their_strategy();

-- A chapter moved to another strategy while lines, totals or lines funding its initiatives stay in the old one.
CREATE OR REPLACE FUNCTION budgets_chapters_stay_in_their_strategy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM budgets_refuse_other_strategy('chapter', (
        SELECT string_agg(DISTINCT chapter.id::text, ', ')
        FROM new_chapters chapter
        WHERE EXISTS (
                SELECT 1 FROM budgets_budgetline line
                WHERE line.chapter_id = chapter.id AND line.strategy_id <> chapter.strategy_id)
            OR EXISTS (
                SELECT 1 FROM budgets_publishedtotal total
                WHERE total.chapter_id = chapter.id AND total.strategy_id <> chapter.strategy_id)
            OR EXISTS (
                SELECT 1 FROM initiatives_initiative initiative
                JOIN budgets_budgetline_initiatives covered ON covered.initiative_id = initiative.id
                JOIN budgets_budgetline line ON line.id = covered.budgetline_id
                WHERE initiative.chapter_id = chapter.id AND line.strategy_id <> chapter.strategy_id)
    ));
    RETURN NULL;
END
$$;

CREATE TRIGGER budgets_chapters_stay_in_their_strategy AFTER UPDATE ON initiatives_chapter
    REFERENCING NEW TABLE AS new_chapters
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_chapters_stay_in_their_strategy();

CREATE OR REPLACE FUNCTION budgets_footnotes_stay_in_their_strategy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM budgets_refuse_other_strategy('footnote', (
        SELECT string_agg(DISTINCT footnote.id::text, ', ')
        FROM new_footnotes footnote
        WHERE EXISTS (
                SELECT 1 FROM budgets_budgetline_footnotes marked
                JOIN budgets_budgetline line ON line.id = marked.budgetline_id
                WHERE marked.footnote_id = footnote.id AND line.strategy_id <> footnote.strategy_id)
            OR EXISTS (
                SELECT 1 FROM budgets_publishedtotal total
                WHERE total.footnote_id = footnote.id AND total.strategy_id <> footnote.strategy_id)
    ));
    RETURN NULL;
END
$$;

CREATE TRIGGER budgets_footnotes_stay_in_their_strategy AFTER UPDATE ON budgets_footnote
    REFERENCING NEW TABLE AS new_footnotes
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_footnotes_stay_in_their_strategy();

-- Rows written before these triggers existed: an update that changes nothing runs each check over all of them,
-- so a database holding such a link refuses this migration, naming the rows, rather than keep it unseen.
UPDATE budgets_budgetline SET strategy_id = strategy_id;
UPDATE budgets_budgetline_initiatives SET budgetline_id = budgetline_id;
UPDATE budgets_budgetline_footnotes SET budgetline_id = budgetline_id;
UPDATE budgets_publishedtotal SET strategy_id = strategy_id;
"""

DROP = """
DROP TRIGGER IF EXISTS budgets_footnotes_stay_in_their_strategy ON budgets_footnote;
DROP TRIGGER IF EXISTS budgets_chapters_stay_in_their_strategy ON initiatives_chapter;
DROP TRIGGER IF EXISTS budgets_initiatives_stay_in_their_strategy ON initiatives_initiative;
DROP TRIGGER IF EXISTS budgets_totals_inside_one_strategy_updated ON budgets_publishedtotal;
DROP TRIGGER IF EXISTS budgets_totals_inside_one_strategy_inserted ON budgets_publishedtotal;
DROP TRIGGER IF EXISTS budgets_markers_inside_one_strategy_updated ON budgets_budgetline_footnotes;
DROP TRIGGER IF EXISTS budgets_markers_inside_one_strategy_inserted ON budgets_budgetline_footnotes;
DROP TRIGGER IF EXISTS budgets_coverage_inside_one_strategy_updated ON budgets_budgetline_initiatives;
DROP TRIGGER IF EXISTS budgets_coverage_inside_one_strategy_inserted ON budgets_budgetline_initiatives;
DROP TRIGGER IF EXISTS budgets_lines_inside_one_strategy_updated ON budgets_budgetline;
DROP TRIGGER IF EXISTS budgets_lines_inside_one_strategy_inserted ON budgets_budgetline;
DROP FUNCTION IF EXISTS budgets_footnotes_stay_in_their_strategy();
DROP FUNCTION IF EXISTS budgets_chapters_stay_in_their_strategy();
DROP FUNCTION IF EXISTS budgets_initiatives_stay_in_their_strategy();
DROP FUNCTION IF EXISTS budgets_totals_inside_one_strategy();
DROP FUNCTION IF EXISTS budgets_markers_inside_one_strategy();
DROP FUNCTION IF EXISTS budgets_coverage_inside_one_strategy();
DROP FUNCTION IF EXISTS budgets_lines_inside_one_strategy();
DROP FUNCTION IF EXISTS budgets_refuse_other_strategy(text, text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0007_one_rule_for_every_cell"),
        ("initiatives", "0003_retirement"),
    ]

    operations = [migrations.RunSQL(CHECK, DROP)]
