"""The French vocabulary of synthetic roadmaps: data tables only, drawn from by the generator.

Axes' themes, real-looking organisations, people's names, the pieces of action titles, milestone
steps, indicator templates, measurement sources and comments, declared statuses with their weights
and the changes that lead to them, and the sentences of progress notes.
"""

from __future__ import annotations

from roadmap.models import Kind, Status

THEMES = [
    ("Prévention", "Prévenir les maladies et rendre chacun acteur de sa santé grâce à l'IA"),
    ("Prise en charge", "Libérer du temps soignant et améliorer les prises en charge avec l'IA"),
    ("Accès à la santé", "Faciliter l'accès aux soins et l'orientation des patients"),
    ("Cadre propice", "Bâtir un cadre de confiance et un modèle économique durable"),
    ("Données de santé", "Valoriser les données de santé au service de la recherche et du soin"),
    ("Formation", "Former les professionnels de santé et les experts du numérique"),
    ("Recherche", "Soutenir la recherche et l'innovation en IA en santé"),
    ("Éthique", "Garantir une IA éthique, explicable et respectueuse des droits des patients"),
    ("Médico-social", "Déployer l'IA dans le secteur médico-social et l'autonomie"),
    ("Territoires", "Accompagner les territoires et les établissements dans leurs projets"),
    ("Évaluation", "Évaluer les solutions d'IA et en mesurer les bénéfices"),
    ("Souveraineté", "Renforcer la souveraineté et la sécurité des infrastructures"),
]

ORGANISATIONS = [
    ("DNS", "Délégation au numérique en santé"),
    ("DGOS", "Direction générale de l'offre de soins"),
    ("AIS", "Agence de l'innovation en santé"),
    ("HAS", "Haute Autorité de santé"),
    ("CNAM", "Caisse nationale de l'Assurance maladie"),
    ("ANS", "Agence du numérique en santé"),
    ("HDH", "Plateforme des données de santé"),
    ("DREES", "Direction de la recherche, des études, de l'évaluation et des statistiques"),
    ("DGRI", "Direction générale de la recherche et de l'innovation"),
    ("DGE", "Direction générale des entreprises"),
    ("DGS", "Direction générale de la santé"),
    ("DSS", "Direction de la sécurité sociale"),
    ("DGCS", "Direction générale de la cohésion sociale"),
    ("ATIH", "Agence technique de l'information sur l'hospitalisation"),
    ("ANSM", "Agence nationale de sécurité du médicament et des produits de santé"),
    ("SpF", "Santé publique France"),
    ("CNSA", "Caisse nationale de solidarité pour l'autonomie"),
    ("CNIL", "Commission nationale de l'informatique et des libertés"),
    ("INSERM", "Institut national de la santé et de la recherche médicale"),
    ("Inria", "Institut national de recherche en sciences et technologies du numérique"),
    ("ANAP", "Agence nationale de la performance sanitaire et médico-sociale"),
    ("EHESP", "École des hautes études en santé publique"),
    ("ARS Île-de-France", "Agence régionale de santé Île-de-France"),
    ("ARS Auvergne-Rhône-Alpes", "Agence régionale de santé Auvergne-Rhône-Alpes"),
    ("ARS Bretagne", "Agence régionale de santé Bretagne"),
    ("ARS Grand Est", "Agence régionale de santé Grand Est"),
    ("ARS Occitanie", "Agence régionale de santé Occitanie"),
    ("ARS Nouvelle-Aquitaine", "Agence régionale de santé Nouvelle-Aquitaine"),
    ("ARS Hauts-de-France", "Agence régionale de santé Hauts-de-France"),
    ("ARS Provence-Alpes-Côte d'Azur", "Agence régionale de santé Provence-Alpes-Côte d'Azur"),
]
# The central bodies lead most actions; regional agencies mostly partner.
CENTRAL = 8

FIRST_NAMES = [
    "Camille", "Julien", "Sophie", "Nicolas", "Claire", "Thomas", "Émilie", "Antoine", "Léa",
    "Mathieu", "Isabelle", "Karim", "Nadia", "Hugo", "Chloé", "Pierre", "Manon", "Yann", "Inès",
    "Olivier", "Aurélie", "Mehdi", "Sandrine", "Bastien",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "Mercier", "Dupont", "Lambert", "Bonnet", "Legrand", "Chevalier", "Gauthier",
]  # fmt: skip

VERBS = [
    "Déployer", "Accompagner", "Évaluer", "Financer", "Généraliser", "Structurer", "Encadrer",
    "Expérimenter", "Soutenir", "Développer", "Industrialiser", "Mutualiser",
]  # fmt: skip
OBJECTS = [
    "des systèmes d'IA d'aide au diagnostic en imagerie",
    "l'usage de l'IA générative pour la rédaction des comptes rendus",
    "des entrepôts de données de santé hospitaliers",
    "la télésurveillance assistée par l'IA",
    "un référentiel d'évaluation des dispositifs médicaux numériques",
    "la détection précoce des cancers par l'IA",
    "des assistants de codage médical",
    "la prévention des risques cardiovasculaires par l'analyse des données",
    "l'orientation des patients aux urgences",
    "la pharmacovigilance augmentée",
    "l'optimisation des plannings soignants",
    "le dépistage de la rétinopathie diabétique",
    "la transcription automatique des consultations",
    "l'aide à la prescription médicamenteuse",
    "la prédiction des réhospitalisations",
    "l'analyse automatisée des lames d'anatomopathologie",
]
CONTEXTS = [
    "dans les établissements de santé",
    "en médecine de ville",
    "dans le secteur médico-social",
    "dans les territoires ultramarins",
    "en santé mentale",
    "pour les maladies rares",
    "dans les centres hospitaliers universitaires",
    "à l'échelle nationale",
    "dans les maisons de santé pluriprofessionnelles",
    "en lien avec les agences régionales de santé",
]
FRAMEWORKS = [
    "Stratégie d'accélération « Santé numérique » de France 2030",
    "Ségur du numérique en santé",
    "Feuille de route du numérique en santé 2023-2027",
    "Programme ESMS numérique",
    "Plan Innovation Santé 2030",
    "Stratégie nationale pour l'intelligence artificielle",
    "",
]
MILESTONE_STEPS = [
    "Constitution du comité de pilotage",
    "Recrutement de l'équipe projet",
    "Consultation des parties prenantes",
    "Publication du cahier des charges",
    "Lancement de l'appel à projets",
    "Sélection des lauréats",
    "Signature des conventions de financement",
    "Ouverture de la plateforme",
    "Démarrage de l'expérimentation dans les sites pilotes",
    "Formation des premiers utilisateurs",
    "Premier bilan d'étape",
    "Publication du référentiel",
    "Évaluation intermédiaire",
    "Extension à de nouvelles régions",
    "Généralisation du dispositif",
    "Rapport d'évaluation final",
]

# (label, unit, abbreviation, typical target, direction); « % » targets stay within 0-100.
INDICATOR_TEMPLATES = {
    Kind.CUMULATIVE: [
        ("Professionnels formés depuis le lancement", "professionnels", "FORM", 50_000, "higher"),
        ("Établissements équipés", "établissements", "ETAB", 800, "higher"),
        ("Patients inclus dans le dispositif", "patients", "PAT", 20_000, "higher"),
        ("Crédits engagés", "€", "CRED", 30_000_000, "higher"),
        ("Projets financés", "projets", "PROJ", 120, "higher"),
        ("Solutions évaluées", "solutions", "EVAL", 60, "higher"),
    ],
    Kind.PER_PERIOD: [
        ("Apprenants formés par an", "apprenants", "APP", 70_000, "higher"),
        ("Examens analysés par an avec l'appui de l'IA", "examens", "EXAM", 400_000, "higher"),
        ("Téléconsultations par an", "téléconsultations", "TLC", 150_000, "higher"),
        ("Signalements traités par an", "signalements", "SIG", 12_000, "higher"),
        ("Heures de temps soignant libérées par an", "heures", "TPS", 250_000, "higher"),
    ],
    Kind.LEVEL: [
        ("Parcours de master ouverts", "parcours", "MAST", 15, "higher"),
        ("Part des établissements utilisant une solution d'IA", "%", "USAGE", 60, "higher"),
        ("Délai moyen d'accès à un avis spécialisé", "jours", "DELAI", 20, "lower"),
        ("Part des comptes rendus structurés", "%", "CR", 80, "higher"),
        ("Taux de réhospitalisation à 30 jours", "%", "REHOSP", 8, "lower"),
        ("Régions couvertes", "régions", "REG", 18, "higher"),
    ],
}
SOURCES = [
    "tableau de bord de la DNS",
    "enquête trimestrielle de la DGOS",
    "remontées des agences régionales de santé",
    "Système national des données de santé",
    "rapport d'activité des porteurs de projet",
    "plateforme de suivi des financements",
]
COMMENTS = ["Valeur provisoire", "Donnée consolidée", "Estimation", "Périmètre élargi"]

STATUS_WEIGHTS = [
    ("", 10),
    (Status.NOT_STARTED, 10),
    (Status.IN_PROGRESS, 45),
    (Status.AT_RISK, 12),
    (Status.LATE, 10),
    (Status.DONE, 8),
    (Status.ABANDONED, 5),
]
STATUS_PATHS = {
    "": [],
    Status.NOT_STARTED: [Status.NOT_STARTED],
    Status.IN_PROGRESS: [Status.NOT_STARTED, Status.IN_PROGRESS],
    Status.AT_RISK: [Status.IN_PROGRESS, Status.AT_RISK],
    Status.LATE: [Status.IN_PROGRESS, Status.AT_RISK, Status.LATE],
    Status.DONE: [Status.IN_PROGRESS, Status.DONE],
    Status.ABANDONED: [Status.NOT_STARTED, Status.ABANDONED],
}

NOTES_DONE = [
    "Le comité de pilotage s'est réuni et a validé le calendrier de déploiement.",
    "Les premiers sites pilotes ont démarré ; les retours des équipes sont positifs.",
    "Le cahier des charges a été relu par les partenaires et publié.",
    "Les conventions de financement ont été signées avec {n} porteurs de projet.",
    "Une session de formation a réuni {n} professionnels.",
    "Les données du premier trimestre ont été consolidées et transmises.",
    "La plateforme est ouverte aux établissements volontaires.",
    "L'évaluation intermédiaire a été remise au comité de pilotage.",
]
NOTES_RISKS = [
    "",
    "Difficultés de recrutement dans l'équipe projet.",
    "Retard de livraison de l'éditeur retenu.",
    "Disponibilité des données plus tardive que prévu.",
    "Validation juridique en attente (analyse d'impact).",
    "Mobilisation inégale des établissements selon les régions.",
]
NOTES_NEXT = [
    "",
    "Préparer le bilan d'étape pour le prochain Conseil du numérique en santé.",
    "Étendre l'expérimentation à {n} nouveaux établissements.",
    "Lancer la deuxième vague de l'appel à projets.",
    "Publier les premiers résultats sur le site.",
    "Organiser un atelier avec les fédérations hospitalières.",
]
