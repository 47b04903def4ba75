//! The built-in catalogues in the database: loading them on first start, and reading
//! the policy documents, threats, controls and classification schemes.

use crate::events::{Entity, Verb};
use mamori_core::catalog::{self, Builtin, Scheme};
use mamori_core::problem::Problem;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::settings::ACTIVE_SCHEME;
use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};

/// The setting that records that the built-in catalogues were loaded.
const LOADED: &str = "catalog.loaded";

/// Loads the built-in catalogues unless they are already in the database.
pub async fn load_builtin_if_missing(store: &Store) -> Result<(), StoreError> {
    if store.setting(LOADED).await?.is_some() {
        return Ok(());
    }
    let builtin = catalog::builtin().map_err(|e| StoreError::Catalog(e.to_string()))?;
    store.load_builtin(&builtin).await
}

/// A policy document as listed.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct PolicyDocumentRow {
    pub id: i64,
    pub code: String,
    pub level: String,
    pub parent_id: Option<i64>,
    pub title: String,
    pub title_en: String,
}

/// An article of a policy document with its numbered items.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ArticleView {
    pub id: i64,
    pub label: String,
    pub number: i64,
    pub heading: String,
    pub heading_en: String,
    pub body: String,
    pub items: Vec<ItemRow>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ArticleRow {
    id: i64,
    label: String,
    number: i64,
    heading: String,
    heading_en: String,
    body: String,
}

/// A numbered item of an article.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct ItemRow {
    #[serde(skip)]
    pub article_id: i64,
    pub label: String,
    pub number: i64,
    pub heading: Option<String>,
    pub heading_en: Option<String>,
    pub body: String,
}

/// A revision (附則) of a policy document.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct RevisionRow {
    pub label: String,
    /// ISO date on which the revision came into force.
    pub effective: String,
    pub text: String,
}

/// A whole policy document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PolicyDocumentView {
    #[serde(flatten)]
    pub document: PolicyDocumentRow,
    pub articles: Vec<ArticleView>,
    pub revisions: Vec<RevisionRow>,
}

/// A category of threats (an item of 第7).
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct ThreatCategoryRow {
    pub code: String,
    pub article_item: i64,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub description_en: String,
}

/// A threat of the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct ThreatRow {
    pub id: i64,
    pub code: String,
    pub category: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub description_en: String,
    pub generic: bool,
    pub builtin: bool,
}

/// A category of countermeasures (an item of 第8).
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct ControlCategoryRow {
    pub code: String,
    pub article_item: i64,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub description_en: String,
}

/// A chapter of the 対策基準.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct ChapterRow {
    pub number: i64,
    pub name: String,
    pub name_en: String,
}

/// A control of the catalogue, with the codes of the threats it mitigates.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ControlView {
    pub id: i64,
    pub code: String,
    pub category: String,
    pub chapter: i64,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub threats: Vec<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ControlRow {
    id: i64,
    code: String,
    category: String,
    chapter: i64,
    name: String,
    name_en: String,
    description: String,
}

/// Filters for the threat list.
#[derive(Debug, Clone, Default)]
pub struct ThreatFilter {
    pub category: Option<String>,
}

/// Filters for the control list.
#[derive(Debug, Clone, Default)]
pub struct ControlFilter {
    pub category: Option<String>,
    pub chapter: Option<i64>,
    pub threat: Option<String>,
}

impl Store {
    /// Writes the built-in catalogues, one event per record, in one transaction.
    pub async fn load_builtin(&self, builtin: &Builtin) -> Result<(), StoreError> {
        let actor = Actor::System("catalog");
        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;

        // The basic policy.
        let doc = &builtin.basic_policy;
        let level = serde_json::to_value(doc.level)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "basic_policy".to_string());
        let doc_id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO policy_documents (code, level, parent_id, title, title_en, created_at, updated_at) \
                 VALUES ($1, $2, NULL, $3, $4, $5, $5) RETURNING id",
            )
            .bind(&doc.code)
            .bind(&level)
            .bind(&doc.title)
            .bind(&doc.title_en)
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        for (ordinal, article) in doc.articles.iter().enumerate() {
            let article_id: i64 = tx_run!(&mut tx, |c| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO policy_articles (document_id, ordinal, label, number, heading, heading_en, body) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(doc_id)
                .bind(ordinal as i64)
                .bind(&article.label)
                .bind(i64::from(article.number))
                .bind(&article.heading)
                .bind(&article.heading_en)
                .bind(&article.body)
                .fetch_one(&mut *c)
                .await?;
                for (i, item) in article.items.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO policy_items (article_id, ordinal, label, number, heading, heading_en, body) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(id)
                    .bind(i as i64)
                    .bind(&item.label)
                    .bind(i64::from(item.number))
                    .bind(&item.heading)
                    .bind(&item.heading_en)
                    .bind(&item.body)
                    .execute(&mut *c)
                    .await?;
                }
                id
            });
            tx.append_event(
                &actor,
                Entity::PolicyArticle,
                article_id,
                Verb::Create,
                None::<&()>,
                Some(article),
            )
            .await?;
        }
        for (ordinal, revision) in doc.revisions.iter().enumerate() {
            tx_run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO policy_revisions (document_id, ordinal, label, effective, text) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(doc_id)
                .bind(ordinal as i64)
                .bind(&revision.label)
                .bind(revision.effective.to_string())
                .bind(&revision.text)
                .execute(&mut *c)
                .await?;
            });
        }
        let summary = serde_json::json!({
            "code": doc.code, "title": doc.title, "articles": doc.articles.len(),
            "revisions": doc.revisions.iter().map(|r| r.effective.to_string()).collect::<Vec<_>>(),
        });
        tx.append_event(
            &actor,
            Entity::PolicyDocument,
            doc_id,
            Verb::Create,
            None::<&()>,
            Some(&summary),
        )
        .await?;

        // Threats.
        for cat in &builtin.threats.categories {
            tx_run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO threat_categories (code, article_item, name, name_en, description, description_en) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&cat.code)
                .bind(i64::from(cat.article_item))
                .bind(&cat.name)
                .bind(&cat.name_en)
                .bind(&cat.description)
                .bind(&cat.description_en)
                .execute(&mut *c)
                .await?;
            });
            tx.append_event(
                &actor,
                Entity::ThreatCategory,
                &cat.code,
                Verb::Create,
                None::<&()>,
                Some(cat),
            )
            .await?;
        }
        let mut threat_ids: HashMap<&str, i64> = HashMap::new();
        for threat in &builtin.threats.threats {
            let id: i64 = tx_run!(&mut tx, |c| {
                sqlx::query_scalar(
                    "INSERT INTO threats (code, category, name, name_en, description, description_en, generic, builtin) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE) RETURNING id",
                )
                .bind(&threat.code)
                .bind(&threat.category)
                .bind(&threat.name)
                .bind(&threat.name_en)
                .bind(&threat.description)
                .bind(&threat.description_en)
                .bind(threat.generic)
                .fetch_one(&mut *c)
                .await?
            });
            threat_ids.insert(threat.code.as_str(), id);
            tx.append_event(
                &actor,
                Entity::Threat,
                id,
                Verb::Create,
                None::<&()>,
                Some(threat),
            )
            .await?;
        }

        // Controls.
        for cat in &builtin.controls.categories {
            tx_run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO control_categories (code, article_item, name, name_en, description, description_en) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&cat.code)
                .bind(i64::from(cat.article_item))
                .bind(&cat.name)
                .bind(&cat.name_en)
                .bind(&cat.description)
                .bind(&cat.description_en)
                .execute(&mut *c)
                .await?;
            });
            tx.append_event(
                &actor,
                Entity::ControlCategory,
                &cat.code,
                Verb::Create,
                None::<&()>,
                Some(cat),
            )
            .await?;
        }
        for chapter in &builtin.controls.chapters {
            tx_run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO standard_chapters (number, name, name_en) VALUES ($1, $2, $3)",
                )
                .bind(i64::from(chapter.number))
                .bind(&chapter.name)
                .bind(&chapter.name_en)
                .execute(&mut *c)
                .await?;
            });
            tx.append_event(
                &actor,
                Entity::StandardChapter,
                chapter.number,
                Verb::Create,
                None::<&()>,
                Some(chapter),
            )
            .await?;
        }
        for control in &builtin.controls.controls {
            let id: i64 = tx_run!(&mut tx, |c| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO controls (code, category, chapter, name, name_en, description, builtin) \
                     VALUES ($1, $2, $3, $4, $5, $6, TRUE) RETURNING id",
                )
                .bind(&control.code)
                .bind(&control.category)
                .bind(i64::from(control.chapter))
                .bind(&control.name)
                .bind(&control.name_en)
                .bind(&control.description)
                .fetch_one(&mut *c)
                .await?;
                for code in &control.threats {
                    if let Some(tid) = threat_ids.get(code.as_str()) {
                        sqlx::query(
                            "INSERT INTO control_threats (control_id, threat_id) VALUES ($1, $2)",
                        )
                        .bind(id)
                        .bind(*tid)
                        .execute(&mut *c)
                        .await?;
                    }
                }
                id
            });
            tx.append_event(
                &actor,
                Entity::Control,
                id,
                Verb::Create,
                None::<&()>,
                Some(control),
            )
            .await?;
        }

        // Classification schemes, and the active one.
        for scheme in &builtin.classification.schemes {
            let definition = serde_json::to_string(scheme).map_err(|e| {
                StoreError::Internal(format!("cannot encode scheme {}: {e}", scheme.code))
            })?;
            tx_run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO classification_schemes (code, name, name_en, definition, builtin, updated_at) \
                     VALUES ($1, $2, $3, $4, TRUE, $5)",
                )
                .bind(&scheme.code)
                .bind(&scheme.name)
                .bind(&scheme.name_en)
                .bind(&definition)
                .bind(&now)
                .execute(&mut *c)
                .await?;
            });
            tx.append_event(
                &actor,
                Entity::ClassificationScheme,
                &scheme.code,
                Verb::Create,
                None::<&()>,
                Some(scheme),
            )
            .await?;
        }
        for (key, value) in [
            (
                ACTIVE_SCHEME,
                builtin.classification.default_active.as_str(),
            ),
            (LOADED, now.as_str()),
        ] {
            tx_run!(&mut tx, |c| {
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
                    .bind(key)
                    .bind(value)
                    .execute(&mut *c)
                    .await?;
            });
            tx.append_event(
                &actor,
                Entity::Setting,
                key,
                Verb::Set,
                None::<&()>,
                Some(&value),
            )
            .await?;
        }
        tx.commit().await
    }

    /// The policy documents.
    pub async fn policy_documents(&self) -> Result<Vec<PolicyDocumentRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, code, level, parent_id, title, title_en FROM policy_documents ORDER BY id",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// One policy document with its articles, items and revisions (four queries,
    /// whatever the number of articles).
    pub async fn policy_document(&self, code: &str) -> Result<PolicyDocumentView, StoreError> {
        let document: Option<PolicyDocumentRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, code, level, parent_id, title, title_en FROM policy_documents WHERE code = $1",
            )
            .bind(code)
            .fetch_optional(pool)
            .await?
        });
        let document = document.ok_or_else(|| StoreError::not_found("policy document", code))?;
        let (articles, items, revisions) = db_run!(&self.db, |pool| {
            let articles: Vec<ArticleRow> = sqlx::query_as(
                "SELECT id, label, number, heading, heading_en, body FROM policy_articles \
                 WHERE document_id = $1 ORDER BY ordinal",
            )
            .bind(document.id)
            .fetch_all(pool)
            .await?;
            let items: Vec<ItemRow> = sqlx::query_as(
                "SELECT i.article_id, i.label, i.number, i.heading, i.heading_en, i.body FROM policy_items i \
                 JOIN policy_articles a ON a.id = i.article_id WHERE a.document_id = $1 ORDER BY i.article_id, i.ordinal",
            )
            .bind(document.id)
            .fetch_all(pool)
            .await?;
            let revisions: Vec<RevisionRow> = sqlx::query_as(
                "SELECT label, effective, text FROM policy_revisions WHERE document_id = $1 ORDER BY ordinal",
            )
            .bind(document.id)
            .fetch_all(pool)
            .await?;
            (articles, items, revisions)
        });
        let mut by_article: HashMap<i64, Vec<ItemRow>> = HashMap::new();
        for item in items {
            by_article.entry(item.article_id).or_default().push(item);
        }
        let articles = articles
            .into_iter()
            .map(|a| ArticleView {
                items: by_article.remove(&a.id).unwrap_or_default(),
                id: a.id,
                label: a.label,
                number: a.number,
                heading: a.heading,
                heading_en: a.heading_en,
                body: a.body,
            })
            .collect();
        Ok(PolicyDocumentView {
            document,
            articles,
            revisions,
        })
    }

    /// The categories of 第7.
    pub async fn threat_categories(&self) -> Result<Vec<ThreatCategoryRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT code, article_item, name, name_en, description, description_en FROM threat_categories ORDER BY article_item",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// The threats, by category and code.
    pub async fn list_threats(
        &self,
        filter: &ThreatFilter,
        page: PageRequest,
    ) -> Result<Page<ThreatRow>, StoreError> {
        let category = filter.category.clone().unwrap_or_default();
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<ThreatRow> = sqlx::query_as(
                "SELECT t.id, t.code, t.category, t.name, t.name_en, t.description, t.description_en, t.generic, t.builtin \
                 FROM threats t JOIN threat_categories c ON c.code = t.category \
                 WHERE ($1 = '' OR t.category = $1) ORDER BY c.article_item, t.code LIMIT $2 OFFSET $3",
            )
            .bind(&category)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM threats WHERE ($1 = '' OR category = $1)")
                    .bind(&category)
                    .fetch_one(pool)
                    .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// One threat by code.
    pub async fn threat(&self, code: &str) -> Result<ThreatRow, StoreError> {
        let row: Option<ThreatRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, code, category, name, name_en, description, description_en, generic, builtin FROM threats WHERE code = $1",
            )
            .bind(code)
            .fetch_optional(pool)
            .await?
        });
        row.ok_or_else(|| StoreError::not_found("threat", code))
    }

    /// The categories of 第8.
    pub async fn control_categories(&self) -> Result<Vec<ControlCategoryRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT code, article_item, name, name_en, description, description_en FROM control_categories ORDER BY article_item",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// The chapters of the 対策基準.
    pub async fn standard_chapters(&self) -> Result<Vec<ChapterRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as("SELECT number, name, name_en FROM standard_chapters ORDER BY number")
                .fetch_all(pool)
                .await?
        }))
    }

    /// The controls, with the threats each mitigates (two queries per page).
    pub async fn list_controls(
        &self,
        filter: &ControlFilter,
        page: PageRequest,
    ) -> Result<Page<ControlView>, StoreError> {
        let category = filter.category.clone().unwrap_or_default();
        let chapter = filter.chapter.unwrap_or(0);
        let threat = filter.threat.clone().unwrap_or_default();
        let (rows, total) = db_run!(&self.db, |pool| {
            let rows: Vec<ControlRow> = sqlx::query_as(
                "SELECT c.id, c.code, c.category, c.chapter, c.name, c.name_en, c.description FROM controls c \
                 WHERE ($1 = '' OR c.category = $1) AND ($2 = 0 OR c.chapter = $2) \
                 AND ($3 = '' OR EXISTS (SELECT 1 FROM control_threats ct JOIN threats t ON t.id = ct.threat_id \
                      WHERE ct.control_id = c.id AND t.code = $3)) \
                 ORDER BY c.chapter, c.code LIMIT $4 OFFSET $5",
            )
            .bind(&category)
            .bind(chapter)
            .bind(&threat)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM controls c WHERE ($1 = '' OR c.category = $1) AND ($2 = 0 OR c.chapter = $2) \
                 AND ($3 = '' OR EXISTS (SELECT 1 FROM control_threats ct JOIN threats t ON t.id = ct.threat_id \
                      WHERE ct.control_id = c.id AND t.code = $3))",
            )
            .bind(&category)
            .bind(chapter)
            .bind(&threat)
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut threats_of: HashMap<i64, Vec<String>> = HashMap::new();
        if !ids.is_empty() {
            let pairs: Vec<(i64, String)> = db_run!(&self.db, |pool| {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT ct.control_id, t.code FROM control_threats ct JOIN threats t ON t.id = ct.threat_id WHERE ct.control_id IN (",
                );
                let mut sep = qb.separated(", ");
                for id in &ids {
                    sep.push_bind(*id);
                }
                qb.push(") ORDER BY t.code");
                qb.build_query_as().fetch_all(pool).await?
            });
            for (cid, code) in pairs {
                threats_of.entry(cid).or_default().push(code);
            }
        }
        let items = rows
            .into_iter()
            .map(|r| ControlView {
                threats: threats_of.remove(&r.id).unwrap_or_default(),
                id: r.id,
                code: r.code,
                category: r.category,
                chapter: r.chapter,
                name: r.name,
                name_en: r.name_en,
                description: r.description,
            })
            .collect();
        Ok(Page { items, total })
    }

    /// Every classification scheme.
    pub async fn classification_schemes(&self) -> Result<Vec<Scheme>, StoreError> {
        let rows: Vec<(String, String)> = db_run!(&self.db, |pool| {
            sqlx::query_as("SELECT code, definition FROM classification_schemes ORDER BY code")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(code, def)| {
                serde_json::from_str(&def).map_err(|e| {
                    StoreError::Catalog(format!("classification scheme {code} is damaged: {e}"))
                })
            })
            .collect()
    }

    /// The active classification scheme.
    pub async fn active_scheme(&self) -> Result<Scheme, StoreError> {
        let code = self
            .setting(ACTIVE_SCHEME)
            .await?
            .ok_or_else(|| StoreError::Catalog("no active classification scheme is set".into()))?;
        self.classification_schemes()
            .await?
            .into_iter()
            .find(|s| s.code == code)
            .ok_or_else(|| {
                StoreError::Catalog(format!(
                    "the active classification scheme {code} does not exist"
                ))
            })
    }

    /// Makes another scheme the active one.
    pub async fn set_active_scheme(&self, actor: &Actor, code: &str) -> Result<(), StoreError> {
        let exists = self
            .classification_schemes()
            .await?
            .iter()
            .any(|s| s.code == code);
        if !exists {
            return Err(Problem::new("MAMORI-CATALOG-NO-SUCH-SCHEME")
                .field("scheme")
                .with("code", code)
                .into());
        }
        self.set_setting(actor, ACTIVE_SCHEME, code).await
    }
}
