//! Choosing a submission's peer reviewers, as it arrives: a pure function,
//! property-tested below.
//!
//! The pool is every member of the cohort, not only those who handed in
//! already, so the first submission and the last (late) one get their
//! reviewers at once. A member is *eligible* for a submission unless:
//! - they are its author, or
//! - the rules exclude their own organisation's work and they belong to
//!   the organisation it was handed in for.
//!
//! Invariants, for every arrival order (`tests` checks each of them):
//! 1. nobody reviews their own work;
//! 2. with `exclude_own_organisation`, nobody reviews their
//!    organisation's work;
//! 3. a submission gets `min(k, eligible)` reviewers, all different;
//! 4. greedy balance: every chosen reviewer had, before the choice, at most
//!    as many reviews of this assignment as every eligible member left out;
//! 5. hence, among the members eligible for every submission so far, review
//!    counts differ by at most 1 at all times. (Exclusions make an exact
//!    global bound impossible in general: with three members and k = 1,
//!    if A's work arrives first and B's second, someone must review twice
//!    unless the choices foresee the future.)
//!
//! Ties go first to members who have not handed in yet (they will be
//! excluded from one submission, their own, so they take load while they
//! can), then to the smallest id, so the choice is reproducible.

/// A member of the pool, as the allocation sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate<Id, Org> {
    pub id: Id,
    pub organisation: Org,
    /// Reviews of this assignment already allocated to them.
    pub load: usize,
    /// Has handed in (or their organisation has) for this assignment.
    pub submitted: bool,
}

/// The submission being allocated.
#[derive(Clone, Copy, Debug)]
pub struct Work<Id, Org> {
    pub author: Id,
    pub organisation: Org,
}

#[derive(Clone, Copy, Debug)]
pub struct Rules {
    /// Reviews each submission asks for.
    pub k: usize,
    pub exclude_own_organisation: bool,
}

/// Whether `c` may review `work` under `rules`.
pub fn eligible<Id: Eq, Org: Eq>(
    rules: Rules,
    work: &Work<Id, Org>,
    c: &Candidate<Id, Org>,
) -> bool {
    c.id != work.author && !(rules.exclude_own_organisation && c.organisation == work.organisation)
}

/// The reviewers of `work`: the `k` least-loaded eligible members of
/// `pool` (see the module's invariants).
pub fn allocate<Id: Copy + Ord, Org: Eq>(
    rules: Rules,
    work: &Work<Id, Org>,
    pool: &[Candidate<Id, Org>],
) -> Vec<Id> {
    let mut ok: Vec<&Candidate<Id, Org>> =
        pool.iter().filter(|c| eligible(rules, work, c)).collect();
    ok.sort_by_key(|c| (c.load, c.submitted, c.id));
    ok.dedup_by_key(|c| c.id);
    ok.into_iter().take(rules.k).map(|c| c.id).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use proptest::prelude::*;

    use super::*;

    /// A cohort: each member's organisation, who hands in (in order), and
    /// the rules.
    fn cohort() -> impl Strategy<Value = (Vec<u8>, Vec<u32>, Rules)> {
        (2usize..30, 1u8..6, 0usize..=5, any::<bool>()).prop_flat_map(|(n, orgs, k, exclude)| {
            (
                proptest::collection::vec(0..orgs, n),
                Just((0..n as u32).collect::<Vec<_>>()).prop_shuffle(),
                0..=n,
            )
                .prop_map(move |(org_of, order, submitters)| {
                    (
                        org_of,
                        order[..submitters].to_vec(),
                        Rules {
                            k,
                            exclude_own_organisation: exclude,
                        },
                    )
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        #[test]
        fn allocations_keep_every_rule((org_of, arrivals, rules) in cohort()) {
            let mut load: BTreeMap<u32, usize> = BTreeMap::new();
            let mut submitted: BTreeSet<u32> = BTreeSet::new();
            let mut ever_excluded: BTreeSet<u32> = BTreeSet::new();
            for &author in &arrivals {
                let work = Work { author, organisation: org_of[author as usize] };
                submitted.insert(author);
                let pool: Vec<_> = (0..org_of.len() as u32)
                    .map(|id| Candidate {
                        id,
                        organisation: org_of[id as usize],
                        load: load.get(&id).copied().unwrap_or(0),
                        submitted: submitted.contains(&id),
                    })
                    .collect();
                let chosen = allocate(rules, &work, &pool);
                let eligible_ids: Vec<u32> = pool
                    .iter()
                    .filter(|c| eligible(rules, &work, c))
                    .map(|c| c.id)
                    .collect();
                // 1 and 2.
                for &r in &chosen {
                    prop_assert_ne!(r, author);
                    if rules.exclude_own_organisation {
                        prop_assert_ne!(org_of[r as usize], org_of[author as usize]);
                    }
                }
                // 3.
                let distinct: BTreeSet<_> = chosen.iter().collect();
                prop_assert_eq!(distinct.len(), chosen.len());
                prop_assert_eq!(chosen.len(), rules.k.min(eligible_ids.len()));
                // 4.
                for &r in &chosen {
                    for &o in eligible_ids.iter().filter(|o| !chosen.contains(o)) {
                        prop_assert!(pool[r as usize].load <= pool[o as usize].load);
                    }
                }
                for c in &pool {
                    if !eligible(rules, &work, c) {
                        ever_excluded.insert(c.id);
                    }
                }
                for r in chosen {
                    *load.entry(r).or_default() += 1;
                }
                // 5.
                let always: Vec<usize> = (0..org_of.len() as u32)
                    .filter(|id| !ever_excluded.contains(id))
                    .map(|id| load.get(&id).copied().unwrap_or(0))
                    .collect();
                if let (Some(lo), Some(hi)) = (always.iter().min(), always.iter().max()) {
                    prop_assert!(hi - lo <= 1, "loads {:?}", always);
                }
            }
        }
    }

    #[test]
    fn late_work_gets_its_reviewers_at_once() {
        let rules = Rules {
            k: 2,
            exclude_own_organisation: true,
        };
        let pool: Vec<Candidate<u32, u8>> = (0..4)
            .map(|id| Candidate {
                id,
                organisation: (id / 2) as u8,
                load: 3,
                submitted: true,
            })
            .collect();
        let got = allocate(
            rules,
            &Work {
                author: 0,
                organisation: 0,
            },
            &pool,
        );
        assert_eq!(got, vec![2, 3]);
    }
}
