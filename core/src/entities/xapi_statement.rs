use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "xapi_statements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i32,
    #[sea_orm(unique)]
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub actor_key: String,
    pub verb_id: String,
    pub activity_id: Option<String>,
    pub object_agent_key: Option<String>,
    pub ref_id: Option<Uuid>,
    pub registration: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub related_activities: String,
    #[sea_orm(column_type = "Text")]
    pub related_agents: String,
    pub stored: i64,
    pub voided: bool,
    pub client_id: Option<Uuid>,
    pub forward_pending: bool,
    #[sea_orm(column_type = "Text")]
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
