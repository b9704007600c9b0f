#!/usr/bin/env python3
"""Writes a generated catalogue of course folders (en, fr, es) for bench/search.

    bench/gen_catalogue.py 1000 target/bench-search/courses

Each course has three modules of four text lessons, about 170 words each per
locale, on two or three topics of local government drawn from a shared list,
so that queries in any language find a realistic share of the catalogue.
Deterministic: the same count gives the same catalogue.
"""
import os
import random
import sys

TOPICS = [
    ("disaster risk", "risque de catastrophe", "riesgo de desastres"),
    ("resilience", "résilience", "resiliencia"),
    ("voluntary local review", "examen local volontaire", "revisión local voluntaria"),
    ("climate adaptation", "adaptation au climat", "adaptación climática"),
    ("urban planning", "urbanisme", "planificación urbana"),
    ("public budgeting", "budget public", "presupuesto público"),
    ("water management", "gestion de l'eau", "gestión del agua"),
    ("early warning systems", "systèmes d'alerte précoce", "sistemas de alerta temprana"),
    ("lifelong learning", "apprentissage tout au long de la vie", "aprendizaje a lo largo de la vida"),
    ("data collection", "collecte de données", "recopilación de datos"),
    ("citizen participation", "participation citoyenne", "participación ciudadana"),
    ("housing policy", "politique du logement", "política de vivienda"),
    ("public transport", "transports publics", "transporte público"),
    ("waste management", "gestion des déchets", "gestión de residuos"),
    ("green spaces", "espaces verts", "espacios verdes"),
    ("heat waves", "vagues de chaleur", "olas de calor"),
    ("flood risk", "risque d'inondation", "riesgo de inundación"),
    ("gender equality", "égalité des genres", "igualdad de género"),
    ("local economy", "économie locale", "economía local"),
    ("health services", "services de santé", "servicios de salud"),
    ("sustainable development goals", "objectifs de développement durable", "objetivos de desarrollo sostenible"),
    ("energy efficiency", "efficacité énergétique", "eficiencia energética"),
    ("food security", "sécurité alimentaire", "seguridad alimentaria"),
    ("migration", "migrations", "migración"),
    ("procurement", "marchés publics", "contratación pública"),
    ("open data", "données ouvertes", "datos abiertos"),
    ("partnerships", "partenariats", "alianzas"),
    ("school education", "éducation scolaire", "educación escolar"),
    ("road safety", "sécurité routière", "seguridad vial"),
    ("air quality", "qualité de l'air", "calidad del aire"),
]

TITLE = {
    "en": ["{A} and {B} for city staff", "Managing {a} in local government", "{A}: a practical course", "From {a} to {b}"],
    "fr": ["{A} et {b} pour les équipes municipales", "Gérer {a} dans une collectivité", "{A} : un cours pratique", "De {a} à {b}"],
    "es": ["{A} y {b} para el personal municipal", "Gestionar {a} en el gobierno local", "{A}: un curso práctico", "De {a} a {b}"],
}
SUMMARY = {
    "en": "A course for local officials on {a} and {b}: what to measure, who to involve and how to decide.",
    "fr": "Un cours pour les élus et agents locaux sur {a} et {b} : quoi mesurer, qui associer et comment décider.",
    "es": "Un curso para el personal local sobre {a} y {b}: qué medir, a quién implicar y cómo decidir.",
}
SENTENCES = {
    "en": [
        "City officials link {a} with {b} when they prepare the annual plan.",
        "A sound approach to {a} starts from local data and a clear mandate.",
        "Many towns found that {a} depends on how well departments share information.",
        "The council asked for a short report on {a}, with three options and their costs.",
        "Residents were invited to workshops on {b} in every district.",
        "Good practice in {a} combines quick wins with a long-term strategy.",
        "Regional networks help smaller municipalities compare their results on {b}.",
        "Budgets rarely mention {a} explicitly, so staff must trace the spending themselves.",
        "A review after one year showed what changed and what still needs attention.",
        "Partners from universities and civil society brought evidence on {b}.",
        "The team mapped every service that touches {a} and named an owner for each.",
        "Indicators on {b} were published online so that anyone could follow progress.",
    ],
    "fr": [
        "Les agents municipaux relient {a} et {b} lorsqu'ils préparent le plan annuel.",
        "Une démarche solide sur {a} part des données locales et d'un mandat clair.",
        "Beaucoup de villes ont constaté que {a} dépend du partage d'information entre services.",
        "Le conseil a demandé une note courte sur {a}, avec trois options et leur coût.",
        "Les habitants ont été invités à des ateliers sur {b} dans chaque quartier.",
        "Les bonnes pratiques en matière de {a} associent des gains rapides à une stratégie de long terme.",
        "Les réseaux régionaux aident les petites communes à comparer leurs résultats sur {b}.",
        "Les budgets mentionnent rarement {a}, si bien que les équipes doivent retracer les dépenses.",
        "Un bilan après un an a montré ce qui a changé et ce qui demande encore de l'attention.",
        "Des partenaires universitaires et associatifs ont apporté des données sur {b}.",
        "L'équipe a recensé chaque service concerné par {a} et désigné un responsable.",
        "Les indicateurs sur {b} ont été publiés en ligne pour que chacun suive les progrès.",
    ],
    "es": [
        "El personal municipal vincula {a} con {b} cuando prepara el plan anual.",
        "Un enfoque sólido de {a} parte de los datos locales y de un mandato claro.",
        "Muchas ciudades comprobaron que {a} depende de cómo comparten información los departamentos.",
        "El concejo pidió un informe breve sobre {a}, con tres opciones y sus costes.",
        "Se invitó a los vecinos a talleres sobre {b} en cada distrito.",
        "Las buenas prácticas en {a} combinan logros rápidos con una estrategia a largo plazo.",
        "Las redes regionales ayudan a los municipios pequeños a comparar sus resultados en {b}.",
        "Los presupuestos casi nunca mencionan {a}, así que el equipo debe rastrear el gasto.",
        "Una revisión al cabo de un año mostró qué cambió y qué sigue necesitando atención.",
        "Socios de universidades y de la sociedad civil aportaron datos sobre {b}.",
        "El equipo identificó cada servicio relacionado con {a} y nombró un responsable.",
        "Los indicadores sobre {b} se publicaron en línea para que cualquiera siguiera los avances.",
    ],
}
LESSON_TITLE = {
    "en": ["Why {a} matters", "Who does what on {a}", "Measuring {b}", "A first plan for {a}"],
    "fr": ["Pourquoi {a} compte", "Qui fait quoi pour {a}", "Mesurer {b}", "Un premier plan pour {a}"],
    "es": ["Por qué importa {a}", "Quién hace qué en {a}", "Medir {b}", "Un primer plan para {a}"],
}
MODULE_TITLE = {
    "en": ["Understanding {a}", "Acting on {b}", "Reporting on {a}"],
    "fr": ["Comprendre {a}", "Agir sur {b}", "Rendre compte de {a}"],
    "es": ["Comprender {a}", "Actuar sobre {b}", "Informar sobre {a}"],
}
LOCALES = ["en", "fr", "es"]


def q(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fill(template, a, b):
    return template.format(a=a, b=b, A=a[0].upper() + a[1:], B=b[0].upper() + b[1:])


def main():
    count = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(42)
    for n in range(count):
        ti = rng.sample(range(len(TOPICS)), 3)
        slug = f"course-{n:04d}-" + TOPICS[ti[0]][0].replace(" ", "-").replace("'", "")
        root = os.path.join(out, slug)
        duration = rng.choice([25, 45, 75, 90, 120, 150, 200, 240, 300, 420, 600])
        sdgs = sorted(rng.sample(range(1, 18), rng.randint(1, 4)))
        sendai = sorted(rng.sample(range(1, 5), rng.randint(1, 2))) if rng.random() < 0.3 else []
        level = rng.choice(["beginner", "beginner", "intermediate", "advanced"])
        tags = [TOPICS[i][0].replace(" ", "-").replace("'", "") for i in ti[:2]]
        modules = [(f"module-{m + 1}", [f"lesson-{m + 1}-{l + 1}" for l in range(4)]) for m in range(3)]
        os.makedirs(root, exist_ok=True)
        with open(os.path.join(root, "course.yaml"), "w") as f:
            f.write(f"slug: {slug}\ndefault_locale: en\nlevel: {level}\nduration_minutes: {duration}\nstatus: published\n")
            f.write(f"themes:\n  sdgs: {sdgs}\n")
            if sendai:
                f.write(f"  sendai: {sendai}\n")
            f.write(f"  tags: [{', '.join(tags)}]\nmodules:\n")
            for mid, lessons in modules:
                f.write(f"  - id: {mid}\n    lessons:\n")
                for lid in lessons:
                    f.write(f"      - id: {lid}\n        kind: text\n        duration_minutes: {max(5, duration // 12)}\n")
        for li, locale in enumerate(LOCALES):
            a, b, c = (TOPICS[i][li] for i in ti)
            d = os.path.join(root, locale)
            os.makedirs(d, exist_ok=True)
            title = fill(rng.choice(TITLE[locale]), a, b)
            with open(os.path.join(d, "meta.yaml"), "w") as f:
                f.write(f"title: {q(title)}\nsummary: {q(fill(SUMMARY[locale], a, b))}\n")
                f.write(f"description: {q(fill(SENTENCES[locale][1], a, c) + ' ' + fill(SENTENCES[locale][4], a, c))}\n")
                f.write(f"objectives:\n  - {q(fill(LESSON_TITLE[locale][0], a, b))}\nmodules:\n")
                for mi, (mid, _) in enumerate(modules):
                    f.write(f"  {mid}:\n    title: {q(fill(MODULE_TITLE[locale][mi], a, b))}\n    summary: {q(fill(SENTENCES[locale][mi], a, c))}\n")
            for mi, (_, lessons) in enumerate(modules):
                for lj, lid in enumerate(lessons):
                    pair = [(a, b), (b, c), (a, c)][(mi + lj) % 3]
                    sentences = [fill(rng.choice(SENTENCES[locale]), *pair) for _ in range(12)]
                    body = " ".join(sentences[:6]) + "\n\n" + " ".join(sentences[6:]) + "\n"
                    with open(os.path.join(d, f"{lid}.md"), "w") as f:
                        f.write(f"---\ntitle: {q(fill(LESSON_TITLE[locale][lj], *pair))}\n---\n{body}")
    print(f"wrote {count} courses to {out}")


if __name__ == "__main__":
    main()
