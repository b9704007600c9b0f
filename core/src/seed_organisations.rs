//! Demo organisations and networks for `agora seed --organisations N`:
//! four networks, N organisations across many countries, and the seeded
//! learners who have no organisation spread over them as active members
//! (the first of each organisation its administrator; one in ten hides
//! their progress, so the reports show consent at work).

use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::OnConflict,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Result,
    entities::{network, organisation, organisation_member, organisation_network, user},
    organisations::{Kind, PopulationBand, country},
};

/// The networks demos show, with their names in English, French and Spanish.
const NETWORKS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "uclg",
        "United Cities and Local Governments",
        "Cités et gouvernements locaux unis",
        "Ciudades y Gobiernos Locales Unidos",
        "https://www.uclg.org",
    ),
    (
        "iclei",
        "ICLEI – Local Governments for Sustainability",
        "ICLEI – Gouvernements locaux pour le développement durable",
        "ICLEI – Gobiernos Locales por la Sustentabilidad",
        "https://iclei.org",
    ),
    (
        "unesco-gnlc",
        "UNESCO Global Network of Learning Cities",
        "Réseau mondial UNESCO des villes apprenantes",
        "Red Mundial UNESCO de Ciudades del Aprendizaje",
        "https://www.uil.unesco.org/en/learning-cities",
    ),
    (
        "metropolis",
        "Metropolis",
        "Metropolis",
        "Metropolis",
        "https://www.metropolis.org",
    ),
];

/// Countries on every continent, cycled through.
const COUNTRIES: &[&str] = &[
    "FR", "ES", "GB", "DE", "IT", "PT", "SE", "FI", "MX", "CO", "AR", "BR", "CL", "PE", "EC", "SN",
    "CI", "CM", "MA", "TN", "KE", "GH", "ZA", "JP", "KR", "VN", "PH", "ID", "IN", "CN", "AU", "NZ",
    "CA", "US", "TR", "JO", "EG", "RW", "BJ", "BO",
];

const DEPARTMENTS: &[&str] = &[
    "Planning",
    "Finance",
    "Environment",
    "Civil protection",
    "Education",
    "International relations",
];

pub struct OrganisationsReport {
    pub networks: u64,
    pub organisations: u64,
    pub members: u64,
}

/// Seeds `count` organisations (and the four networks, once) and makes the
/// seeded learners without an organisation their members.
pub async fn seed_organisations(
    db: &DatabaseConnection,
    count: u64,
) -> Result<OrganisationsReport> {
    let now = OffsetDateTime::now_utc();
    for (slug, en, fr, es, web) in NETWORKS {
        network::Entity::insert(network::ActiveModel {
            id: Set(Uuid::new_v4()),
            slug: Set((*slug).into()),
            name: Set((*en).into()),
            names: Set(serde_json::json!({ "fr": fr, "es": es })),
            website: Set(Some((*web).into())),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(network::Column::Slug)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    let networks = network::Entity::find()
        .filter(network::Column::Slug.is_in(NETWORKS.iter().map(|n| n.0)))
        .order_by_asc(network::Column::Slug)
        .all(db)
        .await?;

    let run = Uuid::new_v4().simple().to_string()[..6].to_owned();
    let mut ids = Vec::new();
    for i in 0..count {
        let code = COUNTRIES[i as usize % COUNTRIES.len()];
        let Some(c) = country(code) else { continue };
        let kind = Kind::ALL[i as usize % Kind::ALL.len()];
        let band = PopulationBand::ALL[(i as usize * 3) % PopulationBand::ALL.len()];
        let id = Uuid::new_v4();
        let name = format!("{} {} {}", kind_word(kind), c.en, i + 1);
        organisation::Entity::insert(organisation::ActiveModel {
            id: Set(id),
            slug: Set(format!(
                "demo-{}-{}-{run}",
                code.to_ascii_lowercase(),
                i + 1
            )),
            name: Set(name.clone()),
            names: Set(serde_json::json!({})),
            kind: Set(kind.as_str().into()),
            country: Set(code.into()),
            m49_region: Set(c.region().into()),
            m49_subregion: Set(c.subregion.into()),
            population_band: Set(band.as_str().into()),
            website: Set(None),
            public: Set(i % 2 == 0),
            auto_approve: Set(false),
            first_enrolment_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(db)
        .await?;
        // Each organisation belongs to one or two networks.
        let first = i as usize % networks.len();
        for n in [first, (first + 1 + i as usize / 7) % networks.len()] {
            organisation_network::Entity::insert(organisation_network::ActiveModel {
                organisation_id: Set(id),
                network_id: Set(networks[n].id),
                created_at: Set(now),
            })
            .on_conflict(
                OnConflict::columns([
                    organisation_network::Column::OrganisationId,
                    organisation_network::Column::NetworkId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        }
        ids.push(id);
    }

    let mut members = 0;
    if !ids.is_empty() {
        let taken = organisation_member::Entity::find()
            .select_only()
            .column(organisation_member::Column::UserId)
            .into_tuple::<Uuid>()
            .all(db)
            .await?;
        let learners = user::Entity::find()
            .filter(user::Column::Email.like("%@seed.agora.example"))
            .filter(user::Column::Id.is_not_in(taken))
            .order_by_asc(user::Column::Email)
            .select_only()
            .column(user::Column::Id)
            .into_tuple::<Uuid>()
            .all(db)
            .await?;
        for (n, user_id) in learners.into_iter().enumerate() {
            let org = ids[n % ids.len()];
            let admin = n < ids.len();
            organisation_member::Entity::insert(organisation_member::ActiveModel {
                user_id: Set(user_id),
                organisation_id: Set(org),
                status: Set("active".into()),
                role: Set(if admin { "admin" } else { "member" }.into()),
                via: Set("admin".into()),
                job_title: Set(if admin {
                    "Knowledge manager"
                } else {
                    "Officer"
                }
                .into()),
                department: Set(DEPARTMENTS[n % DEPARTMENTS.len()].into()),
                hide_progress: Set(!admin && n % 10 == 9),
                requested_at: Set(now),
                joined_at: Set(Some(now)),
            })
            .exec_without_returning(db)
            .await?;
            crate::organisations::note_first_enrolment_on_joining(db, user_id).await?;
            crate::org_activity::membership_changed(db, user_id).await?;
            members += 1;
        }
    }
    Ok(OrganisationsReport {
        networks: networks.len() as u64,
        organisations: ids.len() as u64,
        members,
    })
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Municipality => "City of",
        Kind::Region => "Region of",
        Kind::Metropolitan => "Metropolitan area of",
        Kind::Association => "Association of local governments of",
        Kind::Other => "Institute of",
    }
}
