"""Reference tables of the data generator: departments, origins and names, structures, wording.

Invented organisations and fictional contacts only (phone numbers in the range ARCEP keeps for
fiction, e-mail addresses on example.org): generated files never point at real people.
"""

# (code, name, city, wave or None, month of AGIR deployment in the wave year, weight)
DEPARTMENTS = (
    ("33", "Gironde", "Bordeaux", 2022, 7, 5),
    ("86", "Vienne", "Poitiers", None, None, 2),
    ("31", "Haute-Garonne", "Toulouse", 2024, 1, 5),
    ("67", "Bas-Rhin", "Strasbourg", 2023, 3, 4),
    ("69", "Rhône", "Lyon", 2022, 9, 6),
    ("974", "La Réunion", "Saint-Denis", None, None, 1),
    ("59", "Nord", "Lille", 2022, 10, 6),
    ("44", "Loire-Atlantique", "Nantes", 2023, 1, 4),
    ("2A", "Corse-du-Sud", "Ajaccio", None, None, 1),
    ("63", "Puy-de-Dôme", "Clermont-Ferrand", 2024, 4, 2),
    ("35", "Ille-et-Vilaine", "Rennes", 2023, 6, 3),
    ("13", "Bouches-du-Rhône", "Marseille", 2022, 7, 6),
    ("21", "Côte-d'Or", "Dijon", 2024, 7, 2),
    ("87", "Haute-Vienne", "Limoges", None, None, 2),
    ("93", "Seine-Saint-Denis", "Bobigny", 2023, 1, 7),
    ("25", "Doubs", "Besançon", None, None, 2),
)

# Origins of BPI: nationality -> (weight, share of subsidiary protection)
BPI_ORIGINS = {
    "AFG": (24, 0.55), "SYR": (10, 0.45), "ERI": (8, 0.2), "SDN": (10, 0.25), "GIN": (7, 0.1),
    "CIV": (5, 0.1), "SOM": (5, 0.5), "TUR": (4, 0.1), "COD": (5, 0.15), "RUS": (3, 0.2),
    "BGD": (3, 0.1), "IRN": (3, 0.15), "HTI": (2, 0.2), "PAK": (2, 0.2),
}
# Stateless persons: the country of former habitual residence stands as nationality.
STATELESS_ORIGINS = ("MMR", "KWT", "SYR")
# Non-BPI primo-arrivants: nationality -> (weight, statuses to draw from)
OTHER_ORIGINS = {
    "UKR": (14, ("other",)), "MAR": (12, ("family", "economic")), "DZA": (12, ("family", "economic")),
    "TUN": (8, ("family", "economic")), "SEN": (6, ("family", "economic", "other")),
    "CIV": (6, ("family", "other")), "GIN": (4, ("family", "other")), "COD": (4, ("family", "other")),
    "TUR": (4, ("family", "economic")), "GEO": (3, ("other",)), "ALB": (3, ("family", "other")),
}

# Names by origin: (last names, men's first names, women's first names)
_AFG = (("Ahmadi", "Hashimi", "Karimi", "Rahimi", "Noori", "Haidari", "Sultani", "Popal", "Safi", "Stanekzai",
         "Amiri", "Hotak", "Wardak", "Sadat", "Mohammadi"),
        ("Ahmad", "Mohammad", "Mustafa", "Ali", "Hamid", "Farid", "Jawad", "Noorullah", "Rahmatullah", "Sayed",
         "Zabihullah", "Naweed", "Bilal", "Idris"),
        ("Fatima", "Zahra", "Maryam", "Farzana", "Nazanin", "Shabnam", "Mursal", "Laila", "Parwana", "Sima",
         "Fereshta", "Mahbooba", "Zarghona"))
_ARAB = (("Al-Hassan", "Haddad", "Khalil", "Mansour", "Darwish", "Hamdan", "Al-Ahmad", "Sabbagh", "Kassem",
          "Nasser", "Al-Khatib", "Barakat", "Youssef", "Shami"),
         ("Omar", "Khaled", "Ahmad", "Mahmoud", "Yousef", "Bashar", "Rami", "Samer", "Tarek", "Hussein",
          "Mazen", "Fadi", "Ayham"),
         ("Rania", "Lina", "Hala", "Amal", "Nour", "Rasha", "Dima", "Yasmin", "Reem", "Ghada", "Hiba", "Rouba"))
_ERI = (("Tesfay", "Gebremedhin", "Haile", "Tekle", "Berhane", "Kidane", "Ghebreyesus", "Mehari", "Yohannes",
         "Woldu", "Abraha", "Tsegay"),
        ("Dawit", "Yonas", "Filmon", "Semere", "Robel", "Bereket", "Amanuel", "Henok", "Kibrom", "Mulugeta"),
        ("Helen", "Senait", "Mebrat", "Saba", "Rahwa", "Selam", "Luwam", "Winta", "Yordanos", "Ruta"))
_SDN = (("Abdallah", "Osman", "Ibrahim", "Adam", "Yagoub", "Ismail", "Elamin", "Musa", "Hamid", "Abakar",
         "Haroun", "Eltayeb"),
        ("Mohamed", "Abdelrahman", "Ahmed", "Osman", "Musa", "Abakar", "Haroun", "Ishag", "Adam", "Yasir",
         "Elsadig"),
        ("Amna", "Fatima", "Hawa", "Mariam", "Khadija", "Aisha", "Asha", "Safia", "Zeinab", "Samah"))
_WAF = (("Diallo", "Bah", "Barry", "Sow", "Camara", "Condé", "Keïta", "Touré", "Baldé", "Soumah", "Sylla",
         "Cissé"),
        ("Mamadou", "Alpha", "Ibrahima", "Ousmane", "Amadou", "Sékou", "Abdoulaye", "Thierno", "Boubacar",
         "Mohamed", "Lansana"),
        ("Mariama", "Fatoumata", "Aïssatou", "Kadiatou", "Hadja", "Djénabou", "Aminata", "Binta", "Oumou",
         "Hawa", "Nènè"))
_CIV = (("Kouassi", "Koné", "Yao", "Ouattara", "Kouamé", "N'Guessan", "Traoré", "Bamba", "Konan",
         "Coulibaly", "Diabaté"),
        ("Koffi", "Serge", "Jean-Baptiste", "Moussa", "Drissa", "Lassina", "Franck", "Arnaud", "Kouadio",
         "Yves"),
        ("Adjoua", "Aya", "Affoué", "Mariam", "Awa", "Christelle", "Prisca", "Nadège", "Salimata", "Akissi"))
_SOM = (("Mohamed", "Hassan", "Abdi", "Farah", "Warsame", "Ali", "Nur", "Yusuf", "Osman", "Jama", "Egal"),
        ("Abdirahman", "Abdullahi", "Mohamed", "Ahmed", "Hassan", "Abdikadir", "Mustafe", "Liban", "Said",
         "Bashir"),
        ("Hodan", "Faadumo", "Amina", "Sahra", "Hibo", "Ifrah", "Sagal", "Ubah", "Nasra", "Deeqa"))
_TUR = (("Yilmaz", "Kaya", "Demir", "Aydin", "Özdemir", "Arslan", "Doğan", "Kiliç", "Aslan", "Çelik"),
        ("Mehmet", "Mustafa", "Ahmet", "Ali", "Hasan", "Hüseyin", "Ibrahim", "Murat", "Serhat", "Baran"),
        ("Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Rojda", "Berfin", "Dilan", "Gülistan"))
_COD = (("Mukendi", "Kabongo", "Ilunga", "Tshibangu", "Mbuyi", "Kalala", "Lukusa", "Nsimba", "Kasongo",
         "Mulumba"),
        ("Patrick", "Jean-Claude", "Christian", "Fiston", "Papy", "Héritier", "Junior", "Glody", "Trésor",
         "Dieudonné"),
        ("Grâce", "Chancelle", "Rachel", "Merveille", "Divine", "Esther", "Nathalie", "Sarah", "Jolie",
         "Falonne"))
_RUS = (("Magomedov", "Dudaev", "Basaev", "Umarov", "Khadzhiev", "Isaev", "Musaev", "Aliev"),
        ("Ruslan", "Aslan", "Magomed", "Islam", "Adam", "Zelimkhan", "Artur", "Timur"),
        ("Zarema", "Madina", "Khava", "Aminat", "Luiza", "Malika", "Seda", "Elina"))
_BGD = (("Rahman", "Hossain", "Islam", "Ahmed", "Uddin", "Chowdhury", "Miah", "Sarker"),
        ("Mohammad", "Abdul", "Rafiq", "Shafiqul", "Jahangir", "Kamal", "Rashed", "Tanvir"),
        ("Nasrin", "Shirin", "Ruma", "Taslima", "Farhana", "Sultana", "Rokeya", "Mitu"))
_IRN = (("Hosseini", "Mohammadi", "Rezaei", "Moradi", "Karimi", "Jafari", "Rahimi", "Kazemi", "Ebrahimi"),
        ("Reza", "Mehdi", "Hossein", "Amir", "Saeed", "Behnam", "Kian", "Arash"),
        ("Maryam", "Zahra", "Narges", "Shirin", "Leila", "Parisa", "Niloufar", "Mahsa"))
_HTI = (("Jean-Louis", "Pierre", "Joseph", "Charles", "Desir", "Louis", "Etienne", "Toussaint"),
        ("Jean", "Wilson", "Jacques", "Peterson", "Frantz", "Ricardo", "Kervens", "Lovenson"),
        ("Marie", "Nadège", "Rose-Mina", "Guerline", "Fabienne", "Mirlande", "Widline", "Nathalie"))
_PAK = (("Khan", "Butt", "Chaudhry", "Malik", "Qureshi", "Shah", "Iqbal", "Raza"),
        ("Muhammad", "Imran", "Bilal", "Usman", "Asif", "Faisal", "Hamza", "Waqas"),
        ("Ayesha", "Sana", "Fatima", "Hina", "Nadia", "Saima", "Rabia", "Iqra"))
_MMR = (("Hussain", "Alam", "Ullah", "Begum", "Rahman", "Amin"),
        ("Mohammed", "Nur", "Hamid", "Rashid", "Sadek", "Ayub"),
        ("Rashida", "Hasina", "Jamalida", "Noor", "Minara", "Shamima"))
_UKR = (("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boyko", "Oliynyk",
         "Marchenko", "Moroz", "Lysenko", "Rudenko"),
        ("Oleksandr", "Andriy", "Dmytro", "Serhiy", "Mykola", "Volodymyr", "Ivan", "Yuriy", "Taras", "Bohdan"),
        ("Olena", "Nataliia", "Iryna", "Oksana", "Tetiana", "Yuliia", "Svitlana", "Kateryna", "Anna", "Mariia"))
_MAGHREB = (("Benali", "El Amrani", "Bouzid", "Haddad", "Mansouri", "Benyoucef", "Cherif", "Saidi", "Belkacem",
             "Ouali", "Bennani", "Trabelsi", "Jaziri", "El Idrissi"),
            ("Mohamed", "Youssef", "Karim", "Nabil", "Samir", "Rachid", "Hamza", "Anis", "Walid", "Mehdi",
             "Amine"),
            ("Fatima-Zahra", "Khadija", "Salma", "Imane", "Nawel", "Sara", "Meriem", "Yasmine", "Amel", "Houda",
             "Ines"))
_SEN = (("Ndiaye", "Diop", "Fall", "Sarr", "Faye", "Gueye", "Mbaye", "Ba", "Sy", "Thiam"),
        ("Moussa", "Cheikh", "Modou", "Pape", "Ousmane", "Babacar", "Mamadou", "Aliou", "Serigne", "Ibrahima"),
        ("Fatou", "Awa", "Aminata", "Ndeye", "Mame", "Khady", "Coumba", "Astou", "Sokhna", "Adama"))
_GEO = (("Beridze", "Kapanadze", "Gelashvili", "Maisuradze", "Giorgadze", "Lomidze", "Tsiklauri"),
        ("Giorgi", "Davit", "Levan", "Irakli", "Nika", "Zurab", "Lasha"),
        ("Nino", "Tamar", "Mariam", "Ana", "Ketevan", "Salome", "Natia"))
_ALB = (("Hoxha", "Shehu", "Krasniqi", "Gashi", "Berisha", "Dervishi", "Leka", "Cela"),
        ("Arben", "Besnik", "Ermal", "Gentian", "Klodian", "Dritan", "Artan", "Erion"),
        ("Elira", "Anisa", "Blerina", "Ermira", "Jonida", "Klea", "Mirela", "Arta"))

NAMES = {
    "AFG": _AFG, "SYR": _ARAB, "KWT": _ARAB, "ERI": _ERI, "SDN": _SDN, "GIN": _WAF, "CIV": _CIV, "SOM": _SOM,
    "TUR": _TUR, "COD": _COD, "RUS": _RUS, "BGD": _BGD, "IRN": _IRN, "HTI": _HTI, "PAK": _PAK, "MMR": _MMR,
    "UKR": _UKR, "MAR": _MAGHREB, "DZA": _MAGHREB, "TUN": _MAGHREB, "SEN": _SEN, "GEO": _GEO, "ALB": _ALB,
}

# Structures of a department: (kind, name pattern); {city} and {dep} are filled in.
AGIR_OPERATORS = ("Plateforme AGIR {city} – Association Horizons Solidaires",
                  "Plateforme AGIR {dep} – Trait d'Union Accueil")
PROJECT_OPERATORS = ("Projet structurant {dep} – Passerelles Insertion",
                     "Cap Intégration {city}")
PROGRAMME_OPERATORS = {
    "language": "Langues et Intégration {city}",
    "health": "Centre de santé communautaire {city}",
    "mental_health": "Écoute et Exil {city}",
    "employment": "Maison de l'emploi {city}",
    "mentoring": "Parrainages Solidaires {dep}",
    "digital": "Espace numérique Les Connectés",
    "childcare": "Crèche associative Les Petits Pas",
    "housing": "AIVS Habitat {dep}",
    "rights": "Point-justice et accès aux droits {city}",
    "sport_culture": "Culture et Sport Solidaires {city}",
}
STATE_SERVICES = ("DDETS {dep}", "Direction territoriale de l'OFII {city}")

# Theme -> (operator key or "holder" for the AGIR/project operator, programme names, weight in referrals)
THEMES = {
    "language": ("language", ("Français langue d'intégration", "Ateliers sociolinguistiques"), 30),
    "professional_french": ("language", ("Français à visée professionnelle",), 10),
    "employment": ("employment", ("Parcours vers l'emploi des réfugiés", "Job dating et immersions"), 12),
    "health": ("health", ("Bilan de santé et accès aux soins",), 8),
    "mental_health": ("mental_health", ("Soutien psychologique des exilés",), 5),
    "mobility": ("employment", ("Permis et mobilité",), 5),
    "host_society": ("mentoring", ("Découverte de la société d'accueil",), 4),
    "mentoring": ("mentoring", ("Duos de parrainage",), 5),
    "childcare": ("childcare", ("Places de crèche à vocation d'insertion",), 3),
    "digital": ("digital", ("Inclusion numérique",), 6),
    "sport_culture": ("sport_culture", ("Sorties culturelles et sportives",), 4),
    "republic_values": ("language", ("Valeurs de la République et laïcité",), 4),
    "global_support": ("holder", ("Accompagnement global renforcé",), 3),
    "housing": ("housing", ("Accès au logement pérenne",), 4),
    "rights": ("rights", ("Ouverture et maintien des droits",), 3),
}
THEME_CODES = {
    "employment": "EMP", "professional_french": "FLP", "language": "FLE", "health": "SAN",
    "mental_health": "PSY", "mobility": "MOB", "host_society": "SOC", "mentoring": "PAR", "childcare": "GAR",
    "digital": "NUM", "sport_culture": "SPC", "republic_values": "VDR", "global_support": "ACG",
    "housing": "LOG", "rights": "DRO",
}

PRIOR_PROGRAMMES = ("HOPE", "Accelair", "Reloref", "Programme de réinstallation")
EXTENSION_REASONS = (
    "Démarches de logement en cours", "Ouverture des droits CAF non finalisée", "Formation qualifiante en cours",
    "Consolidation de l'insertion professionnelle", "Attente du renouvellement du titre de séjour",
)
RIGHT_REFUSALS = {
    "caf_benefits": "Pièces justificatives incomplètes",
    "rsa": "Conditions de ressources non remplies",
    "complementary_health": "Plafond de ressources dépassé",
    "driving_licence": "Échange de permis impossible (pas d'accord de réciprocité)",
}
DEFAULT_REFUSAL = "Dossier refusé, recours à l'étude"
REFERRAL_REFUSALS = (
    "Groupe complet pour cette session", "Niveau de français supérieur au niveau visé",
    "Ne correspond pas aux critères du programme", "Horaires incompatibles avec l'emploi",
)
NOTES = (
    "Entretien d'accueil : présentation du parcours et des premières démarches.",
    "Point d'étape : dossier CAF complet transmis.",
    "Accompagnement à la demande de logement social.",
    "Préparation d'un entretien d'embauche.",
    "Point sur l'apprentissage du français : assiduité régulière.",
    "Rendez-vous France Travail préparé ensemble.",
    "Aide à l'ouverture d'un compte bancaire.",
    "Bilan de mi-parcours avec la personne.",
)

# Contract v2 (issue 15): the diagnostic's short texts by area and need (never a medical detail), and the
# objectives of the action plan by area.
DIAGNOSTIC_TEXTS = {
    "rights": {"high": "Droits à ouvrir (CPAM, CAF).", "low": "Renouvellements à suivre."},
    "housing": {"high": "Hébergé·e : logement pérenne à trouver.", "low": "Logé·e ; budget à suivre."},
    "employment": {"high": "Projet professionnel à construire.", "low": "Expérience à valoriser."},
    "language": {"high": "Cours de français intensifs.", "low": "Écrit à consolider."},
    "mobility": {"high": "Pas de moyen de transport.", "low": "Permis à envisager."},
    "childcare": {"high": "Pas de mode de garde.", "low": "Garde à stabiliser."},
}
PLAN_OBJECTIVES = {
    "rights": ("Ouvrir l'assurance maladie", "Constituer le dossier CAF", "Ouvrir un compte bancaire"),
    "housing": ("Demande de logement social", "Accéder à un logement pérenne", "Entrer en IML"),
    "employment": ("S'inscrire à France Travail", "Définir un projet professionnel", "Suivre une formation",
                   "Trouver un premier emploi"),
    "language": ("Suivre un cours de français", "Atteindre le niveau A2"),
    "mobility": ("Carte de transport solidaire", "Échange du permis de conduire"),
    "childcare": ("Place en crèche", "Inscrire les enfants à l'école"),
}
