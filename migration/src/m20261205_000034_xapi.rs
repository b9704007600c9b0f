//! xAPI (issue 21): the learning record store's statements, documents and
//! client credentials. Agora's own learning statements are rows of
//! `xapi_statements` written in the same transaction as the event; those
//! still to be forwarded to an external LRS have `forward_pending` set, so
//! the table is also the outbox the forwarding job drains in `seq` order.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum XapiStatements {
    Table,
    /// Order of storage: `stored` ties and `more` paging are broken by it.
    Seq,
    Id,
    /// The learner, for Agora's own statements.
    UserId,
    /// Canonical key of the actor (`account:{homePage}|{name}`, `mbox:…`).
    ActorKey,
    VerbId,
    /// The object's activity id, when the object is an activity.
    ActivityId,
    /// The object's agent key, when the object is an agent or group.
    ObjectAgentKey,
    /// The statement a `StatementRef` object points to.
    RefId,
    Registration,
    /// `\n`-delimited activity ids of object, context and sub-statement.
    RelatedActivities,
    /// `\n`-delimited agent keys of actor, object, context, authority.
    RelatedAgents,
    /// Milliseconds since the epoch when stored.
    Stored,
    Voided,
    /// The credentials that stored it; `NULL` for Agora's own.
    ClientId,
    ForwardPending,
    /// The stored statement, as JSON text.
    Body,
}

#[derive(DeriveIden)]
enum XapiDocuments {
    Table,
    Id,
    /// `state`, `activity_profile` or `agent_profile`.
    Kind,
    ActivityId,
    AgentKey,
    Registration,
    DocId,
    ContentType,
    Content,
    Etag,
    Updated,
}

#[derive(DeriveIden)]
enum XapiClients {
    Table,
    Id,
    Name,
    /// The Basic user name.
    Key,
    SecretHash,
    /// Space-separated: `statements/read`, `statements/write`, `own`.
    Scopes,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum XapiAttachments {
    Table,
    Sha2,
    ContentType,
    Content,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(XapiStatements::Table)
                    .col(pk_auto(XapiStatements::Seq))
                    .col(uuid_uniq(XapiStatements::Id))
                    .col(uuid_null(XapiStatements::UserId))
                    .col(string(XapiStatements::ActorKey))
                    .col(string(XapiStatements::VerbId))
                    .col(string_null(XapiStatements::ActivityId))
                    .col(string_null(XapiStatements::ObjectAgentKey))
                    .col(uuid_null(XapiStatements::RefId))
                    .col(uuid_null(XapiStatements::Registration))
                    .col(text(XapiStatements::RelatedActivities))
                    .col(text(XapiStatements::RelatedAgents))
                    .col(big_integer(XapiStatements::Stored))
                    .col(boolean(XapiStatements::Voided).default(false))
                    .col(uuid_null(XapiStatements::ClientId))
                    .col(boolean(XapiStatements::ForwardPending).default(false))
                    .col(text(XapiStatements::Body))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_xapi_statements_actor", vec![XapiStatements::ActorKey]),
            ("idx_xapi_statements_verb", vec![XapiStatements::VerbId]),
            (
                "idx_xapi_statements_activity",
                vec![XapiStatements::ActivityId],
            ),
            (
                "idx_xapi_statements_registration",
                vec![XapiStatements::Registration],
            ),
            ("idx_xapi_statements_ref", vec![XapiStatements::RefId]),
            (
                "idx_xapi_statements_object_agent",
                vec![XapiStatements::ObjectAgentKey],
            ),
            ("idx_xapi_statements_stored", vec![XapiStatements::Stored]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(XapiStatements::Table);
            for c in cols {
                idx.col(c);
            }
            manager.create_index(idx.to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_xapi_statements_actor_seq")
                    .table(XapiStatements::Table)
                    .col(XapiStatements::ActorKey)
                    .col(XapiStatements::Seq)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_xapi_statements_forward")
                    .table(XapiStatements::Table)
                    .col(XapiStatements::ForwardPending)
                    .col(XapiStatements::Seq)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(XapiDocuments::Table)
                    .col(pk_auto(XapiDocuments::Id))
                    .col(string_len(XapiDocuments::Kind, 20))
                    .col(string(XapiDocuments::ActivityId))
                    .col(string(XapiDocuments::AgentKey))
                    .col(string(XapiDocuments::Registration))
                    .col(string(XapiDocuments::DocId))
                    .col(string(XapiDocuments::ContentType))
                    .col(blob(XapiDocuments::Content))
                    .col(string(XapiDocuments::Etag))
                    .col(big_integer(XapiDocuments::Updated))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_xapi_documents_key")
                    .table(XapiDocuments::Table)
                    .col(XapiDocuments::Kind)
                    .col(XapiDocuments::ActivityId)
                    .col(XapiDocuments::AgentKey)
                    .col(XapiDocuments::Registration)
                    .col(XapiDocuments::DocId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(XapiClients::Table)
                    .col(uuid(XapiClients::Id).primary_key())
                    .col(string(XapiClients::Name))
                    .col(string_uniq(XapiClients::Key))
                    .col(string(XapiClients::SecretHash))
                    .col(string(XapiClients::Scopes))
                    .col(big_integer(XapiClients::CreatedAt))
                    .col(big_integer_null(XapiClients::RevokedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(XapiAttachments::Table)
                    .col(string(XapiAttachments::Sha2).primary_key())
                    .col(string(XapiAttachments::ContentType))
                    .col(blob(XapiAttachments::Content))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            XapiStatements::Table.into_iden(),
            XapiDocuments::Table.into_iden(),
            XapiClients::Table.into_iden(),
            XapiAttachments::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
