# Textes de l’interface des pages web, en français.

## Layout
skip-to-content = Aller au contenu
nav-label = Menu principal
nav-catalogue = Cours
nav-my-learning = Mon apprentissage
nav-account = Compte
nav-sign-in = Se connecter
nav-sign-up = Créer un compte
nav-sign-out = Se déconnecter
language = Langue
footer-about = Agora : des cours gratuits, à votre rythme, pour les collectivités locales et régionales.
link-home = Accueil
link-catalogue = Parcourir les cours
link-sign-in = Se connecter
link-forgot = Demander un nouveau lien
link-account = Paramètres du compte

## Flash messages
flash-check-inbox = Consultez votre boîte de réception : nous vous avons envoyé un lien pour confirmer votre adresse. Connectez-vous ensuite.
flash-signed-in = Vous êtes connecté·e.
flash-signed-out = Vous êtes déconnecté·e.
flash-reset-sent = Si cette adresse a un compte, nous lui avons envoyé un lien pour choisir un nouveau mot de passe.
flash-password-changed = Votre mot de passe est changé. Connectez-vous avec le nouveau.
flash-enrolled = Vous êtes inscrit·e. Voici la première leçon.
flash-enrol-first = Inscrivez-vous à ce cours pour ouvrir ses leçons.
flash-lesson-complete = Leçon terminée. Passons à la suivante.
flash-course-complete = Félicitations, vous avez terminé le cours ! Votre certificat est ci-dessous.
flash-settings-saved = Vos paramètres sont enregistrés.
flash-account-deleted = Votre compte et tout ce qui s’y rattache sont supprimés.

## Forms
field-name = Votre nom
field-email = Adresse e-mail
field-password = Mot de passe
field-new-password = Nouveau mot de passe
field-password-hint = Au moins 10 caractères. Quelques mots sans rapport entre eux font un mot de passe solide.
field-locale = Langue des pages et des e-mails
form-error-email = Saisissez une adresse e-mail comme nom@ville.fr.
form-error-password = Utilisez au moins 10 caractères et évitez les mots de passe courants : quelques mots sans rapport entre eux font un mot de passe solide.
form-error-name = Saisissez un nom de 1 à 100 caractères.
form-error-locale = Choisissez l’anglais, le français ou l’espagnol.
form-error-generic = Vérifiez ce champ.
form-error-sign-in = L’adresse e-mail ou le mot de passe est incorrect.
form-error-wrong-password = Le mot de passe est incorrect.
form-error-rate-limited = Trop de tentatives. Réessayez dans { $minutes ->
    [one] une minute
   *[other] { $minutes } minutes
}.

## Sign up, sign in, passwords
sign-up-title = Créer un compte
sign-up-intro = C’est gratuit. Vous recevrez un e-mail pour confirmer votre adresse.
sign-up-submit = Créer mon compte
sign-up-have-account = Vous avez déjà un compte ?
sign-in-title = Se connecter
sign-in-submit = Se connecter
sign-in-forgot = Mot de passe oublié ?
sign-in-no-account = Nouveau sur Agora ?
forgot-title = Mot de passe oublié
forgot-intro = Saisissez votre adresse : nous vous enverrons un lien pour choisir un nouveau mot de passe.
forgot-submit = M’envoyer un lien
reset-title = Choisir un nouveau mot de passe
reset-submit = Enregistrer mon nouveau mot de passe
verified-title = Votre adresse est confirmée
verified-text = Merci. Vous pouvez maintenant vous connecter et vous inscrire aux cours.
verify-failed-title = Ce lien ne fonctionne pas
verify-failed-text = Le lien de confirmation n’est pas valide, a expiré ou a déjà servi. Si votre adresse est déjà confirmée, connectez-vous simplement.
reset-failed-title = Ce lien ne fonctionne pas
reset-failed-text = Le lien de réinitialisation n’est pas valide, a expiré ou a déjà servi. Demandez-en un nouveau.

## Home and catalogue
home-title = Apprendre à son rythme
home-heading = Des cours courts pour les agents des collectivités
home-lead = Apprenez à localiser les Objectifs de développement durable, à réduire les risques de catastrophe et à bâtir des villes apprenantes : en français, en anglais ou en espagnol, entre deux réunions, quelle que soit votre connexion.
home-continue = Reprendre là où vous en étiez
home-courses = Cours populaires
home-all-courses = Voir tous les cours
search-label = Rechercher dans les cours
search-submit = Rechercher
catalogue-title = Cours
catalogue-count = { $count ->
    [0] Aucun cours ne correspond
    [one] Un cours
   *[other] { $formatted } cours
}
catalogue-empty = Essayez d’autres mots, ou effacez les filtres.
filters-label = Recherche et filtres
filters-more = Filtres et tri
filter-theme = Thème
filter-language = Langue
filter-level = Niveau
filter-sort = Trier par
filter-any = Tous
filter-submit = Appliquer
filter-clear = Effacer les filtres
sort-popular = Les plus suivis
sort-title = Titre
sort-newest = Les plus récents
sort-duration = Les plus courts d’abord
sort-duration-desc = Les plus longs d’abord
level-beginner = Débutant
level-intermediate = Intermédiaire
level-advanced = Avancé
theme-sdg-short = ODD { $number }
theme-sendai-short = Priorité de Sendai { $number }
theme-sdg = ODD { $number } : { $name }
theme-sendai = Priorité de Sendai { $number } : { $name }

## Course page
course-lessons = { $count ->
    [one] une leçon
   *[other] { $count } leçons
}
course-learners = { $count ->
    [0] pas encore d’apprenant
    [one] un apprenant
   *[other] { $formatted } apprenants
}
course-languages = Langues
card-languages = Langues : { $list }
course-themes = Thèmes
course-about = À propos de ce cours
course-objectives = Ce que vous apprendrez
course-syllabus = Programme
course-level = Niveau
course-duration = Durée
course-lessons-label = Leçons
course-learners-label = Apprenants
course-enrol = S’inscrire gratuitement
course-sign-in-to-enrol = Se connecter pour s’inscrire
course-free = Gratuit. Créez un compte en une minute.
course-continue = Continuer le cours
course-progress = Votre progression dans ce cours
course-completed = Cours terminé.
kind-text = Lecture
kind-video = Vidéo
kind-resource = Ressource
kind-quiz = Quiz

## Lesson player
lesson-breadcrumb = Cours
lesson-watch = Regarder la vidéo (ouvre le site de la vidéo)
lesson-transcript = Transcription
lesson-video-placeholder = La vidéo de cette leçon n’est pas encore enregistrée. Sa transcription complète est ci-dessous.
lesson-download = Télécharger la ressource
lesson-complete = Marquer comme terminée
lesson-completed = ✓ Vous avez terminé cette leçon.
lesson-pager = Leçons
lesson-previous = Leçon précédente
lesson-next = Leçon suivante
lesson-back-to-course = Retour au cours
progress-lessons = { $done } leçons terminées sur { $total }
quiz-heading = Vérifiez vos connaissances
quiz-passing = Note de réussite : { $score }
quiz-attempts = { $used ->
    [one] une tentative jusqu’ici
   *[other] { $used } tentatives jusqu’ici
}
quiz-attempts-of = Tentatives utilisées : { $used } sur { $max }
quiz-best = meilleur score { $score }
quiz-submit = Envoyer mes réponses
quiz-passed = Réussi avec { $score } (note de réussite { $passing }).
quiz-failed = Vous avez obtenu { $score } ; la note de réussite est { $passing }. Lisez les explications et réessayez.
quiz-already-passed = Vous avez réussi ce quiz.
quiz-right = Bonne réponse.
quiz-wrong = Pas tout à fait.
quiz-correct-answer = Bonne réponse :
quiz-error-answer = Répondez à cette question.
quiz-error-no-attempts = Vous avez utilisé toutes les tentatives de ce quiz.

## My learning
my-title = Mon apprentissage
my-courses = Mes cours
my-continue = Continuer
my-empty = Vous n’êtes encore inscrit·e à aucun cours.
my-last-activity = Dernière activité : { $date }
my-certificates = Mes certificats
my-no-certificates = Terminez un cours pour recevoir un certificat.

## Certificates
certificate-title = Certificat de réussite
certificate-valid = Certificat valide
certificate-revoked = Certificat révoqué
certificate-holder = Décerné à
certificate-course = Cours
certificate-completed = Terminé le
certificate-hours = Temps d’étude
certificate-issuer = Délivré par
certificate-code = Code de vérification
certificate-explain = Cette page fait foi pour ce certificat. Si une copie imprimée diffère, c’est cette page qui est juste.
certificate-revoked-on = Ce certificat a été révoqué le { $date }.
certificate-download = Télécharger le certificat (PDF)
certificate-preparing = Votre certificat est en préparation ; rechargez cette page dans un instant.
certificate-public-page = Page de vérification publique
certificate-unknown-title = Certificat introuvable
certificate-unknown-text = Aucun certificat ne porte ce code. Vérifiez qu’il a été copié en entier : il compte quatre groupes de cinq lettres et chiffres.
unsubscribed-title = Vous êtes désabonné·e
unsubscribed-text = Vous ne recevrez plus de rappels pour les cours mis en pause. Vous pouvez les réactiver dans les paramètres de votre compte.
unsubscribe-failed-title = Ce lien ne fonctionne pas
unsubscribe-failed-text = Ce lien de désabonnement n’est pas valide. Copiez le lien entier depuis l’e-mail, ou modifiez vos préférences dans les paramètres de votre compte.

## Account
account-title = Paramètres du compte
account-profile = Profil
account-verified = adresse confirmée
account-unverified = adresse pas encore confirmée : consultez votre boîte de réception
account-member-since = Membre depuis le { $date }
account-email-preferences = E-mails
account-reminders = Me le rappeler par e-mail quand je n’ai pas avancé dans un cours depuis une semaine
account-save = Enregistrer
account-data = Vos données
account-data-text = Téléchargez tout ce qu’Agora détient sur vous : profil, inscriptions, progression et tentatives de quiz, dans un fichier JSON.
account-export = Télécharger mes données
account-delete = Supprimer mon compte
account-delete-text = Cela supprime votre compte et votre parcours d’apprentissage, immédiatement et définitivement. Saisissez votre mot de passe pour confirmer.
account-delete-submit = Supprimer définitivement mon compte

## Error pages
error-code = Erreur { $code }
error-400-title = Cette demande n’a pas pu être traitée
error-400-text = Quelque chose n’allait pas dans la demande. Revenez en arrière et réessayez.
error-403-title = Vous ne pouvez pas faire cela
error-403-text = Vous n’avez pas accès à cette page, ou le formulaire a expiré. Revenez en arrière, rechargez la page et réessayez.
error-404-title = Page introuvable
error-404-text = Il n’y a rien à cette adresse. La page a peut-être changé d’adresse, ou le lien est incomplet.
error-429-title = Trop de demandes
error-429-text = Vous avez fait trop de tentatives en peu de temps. Patientez quelques minutes et réessayez.
error-500-title = Une erreur est survenue
error-500-text = Une erreur est survenue de notre côté. Merci de réessayer dans un instant.
error-503-title = Temporairement indisponible
error-503-text = Un service dont Agora a besoin ne répond pas. Merci de réessayer dans un instant.

## Sustainable Development Goals
sdg-1 = Pas de pauvreté
sdg-2 = Faim « zéro »
sdg-3 = Bonne santé et bien-être
sdg-4 = Éducation de qualité
sdg-5 = Égalité entre les sexes
sdg-6 = Eau propre et assainissement
sdg-7 = Énergie propre et d’un coût abordable
sdg-8 = Travail décent et croissance économique
sdg-9 = Industrie, innovation et infrastructure
sdg-10 = Inégalités réduites
sdg-11 = Villes et communautés durables
sdg-12 = Consommation et production responsables
sdg-13 = Mesures relatives à la lutte contre les changements climatiques
sdg-14 = Vie aquatique
sdg-15 = Vie terrestre
sdg-16 = Paix, justice et institutions efficaces
sdg-17 = Partenariats pour la réalisation des objectifs
sendai-1 = Comprendre les risques de catastrophe
sendai-2 = Renforcer la gouvernance des risques de catastrophe
sendai-3 = Investir dans la réduction des risques de catastrophe aux fins de la résilience
sendai-4 = Renforcer l’état de préparation et « mieux reconstruire »

## Authoring
nav-author = Rédaction
author-title = Rédaction
author-my-courses = Mes cours
author-course = Cours
author-status = État
author-role = Mon rôle
author-updated = Dernière modification
author-none = Vous ne rédigez encore aucun cours. Commencez-en un ci-dessous, ou téléversez un dossier de cours au format zip.
author-new = Commencer un cours
author-field-slug = Nom court pour l’adresse
author-field-slug-hint = Minuscules, chiffres et traits d’union, par exemple rues-sans-inondation. Il ne pourra plus changer.
author-field-locale = Langue de rédaction
author-field-title = Titre
author-field-summary = Résumé (une ou deux phrases)
author-create = Créer le brouillon
author-upload = Téléverser un cours
author-upload-text = Un zip d’un dossier de cours, tel qu’Agora le télécharge : course.yaml et un dossier par langue. Il crée le cours, ou remplace le brouillon du cours qu’il nomme.
author-field-archive = Zip du cours
author-upload-submit = Téléverser
author-revision = révision du brouillon
author-version = version
author-unpublished-changes = Le brouillon contient des modifications que les apprenants ne voient pas encore. Publiez pour les mettre en ligne ; les apprenants gardent leur progression.
author-publish = Publier le brouillon
author-unpublish = Dépublier
author-view-as-learner = Voir comme un apprenant
author-archive = Archiver
author-report = Suivi des apprenants
author-download = Télécharger en zip
author-warnings = À vérifier
author-files = Fichiers
author-file = Fichier
author-size = Octets
author-new-file = Ouvrir ou créer le fichier
author-open = Ouvrir
author-upload-folder = Dossier
author-upload-file = Fichier (PDF, image, texte ou sous-titres)
author-replace = Remplacer tout le brouillon par un zip
author-translations = Traductions
author-source-language = langue source
author-translation-complete = à jour
author-missing = Manquant
author-outdated = Plus ancien que la source
author-authors = Auteurs
author-remove = Retirer
author-add-author = Inviter un coauteur (adresse d’un compte auteur)
author-add = Inviter
author-versions = Versions publiées
author-no-versions = Pas encore publié.
author-audit = Historique
author-when = Quand
author-who = Qui
author-what = Quoi
author-conflict = Quelqu’un a enregistré ce brouillon après que vous l’avez ouvert : votre modification n’a pas été enregistrée. Votre texte est conservé ci-dessous : ouvrez la version actuelle (nouvelle révision), reportez-y vos changements et enregistrez à nouveau.
author-open-current = Ouvrir la version actuelle dans un nouvel onglet
author-content = Contenu
author-save = Enregistrer
author-preview = Aperçu
author-delete-file = Supprimer le fichier
author-binary = Ce fichier n’est pas du texte ; remplacez-le en téléversant un nouveau fichier.
author-problem-title = Cette modification n’a pas été enregistrée
author-back = Retour
author-status-draft = Brouillon
author-status-published = Publié
author-status-archived = Archivé
author-access-admin = Administrateur
author-access-owner = Propriétaire
author-access-coauthor = Coauteur
flash-author-created = Le brouillon est prêt. Rien n’est visible des apprenants avant la publication.
flash-author-uploaded = Les fichiers du cours sont enregistrés dans le brouillon.
flash-author-no-file = Choisissez un fichier à téléverser.
flash-author-published = Publié : les apprenants voient désormais cette version.
flash-author-unpublished = Le cours est retiré du catalogue. Le brouillon est conservé.
flash-author-archived = Le cours est archivé.
flash-author-authors-saved = Les auteurs sont mis à jour.
flash-author-deleted = Le fichier est supprimé du brouillon.
flash-author-saved = Enregistré dans le brouillon.
# Rapport de cours (pour les administrateurs et, plus tard, les auteurs du cours).
report-title = Rapport : { $name }
report-heading = Où en sont les apprenants
report-generated = Chiffres au { $date }, { $time } UTC
report-totals = En bref
report-enrolled = Inscrits
report-active = En cours
report-completed = Terminé
report-left = Partis
report-completion-rate = Taux d’achèvement
report-enrolments = Inscriptions dans le temps
report-enrolments-by-day = Nouvelles inscriptions par jour
report-enrolments-by-week = Nouvelles inscriptions par semaine
report-week-of = Semaine du { $date }
report-day = Jour
report-week = Semaine
report-new-enrolments = Nouvelles inscriptions
report-cumulative = Total cumulé
report-show-table = Afficher les chiffres sous forme de tableau
report-no-enrolments = Personne ne s’est encore inscrit.
report-download-csv = Télécharger en CSV
report-funnel = Leçon par leçon
report-funnel-hint = Combien d’apprenants inscrits ont terminé chaque leçon, dans l’ordre du programme.
report-lesson = Leçon
report-kind = Type
report-share = Part
report-questions = Questions des quiz
report-questions-hint = La part de bonnes réponses à chaque question, sur toutes les tentatives (y compris les reprises).
report-quiz = Quiz
report-question = Question
report-question-number = Question { $number }
report-answers = Réponses
report-correct = Justes
report-share-correct = Part de justes
report-no-questions = Ce cours n’a pas de quiz.
report-locales = Apprenants par langue
report-locale = Langue
report-learners = Apprenants
report-locale-en = Anglais
report-locale-fr = Français
report-locale-es = Espagnol
## Partners and embeds
flash-partner-created = Le partenaire est créé.
flash-key-revoked = La clé est révoquée.
embed-open = Voir le cours
embed-empty = Aucun cours à afficher pour l’instant.
embed-invalid = Les réglages de cette intégration ne sont pas valides.
embed-not-found = Cette collection ou ce cours n’existe pas.
partners-title = Partenaires
partners-new = Nouveau partenaire
partners-new-key = Nouvelle clé d’API
partners-new-key-once = Copiez cette clé maintenant : elle n’est affichée qu’une fois.
partners-slug = Nom court (lettres, chiffres, tirets)
partners-name = Nom du partenaire
partners-origins = Origines autorisées (une par ligne, p. ex. https://www.example.org)
partners-collections = Collections
partners-visits = Visites venues des intégrations
partners-enrolments = Inscriptions venues des intégrations
partners-keys = Clés d’API
partners-key-name = Nom de la clé
partners-scopes = Portées
partners-expires = Expire le (facultatif)
partners-create-key = Créer une clé
partners-create = Créer le partenaire
partners-revoke = Révoquer
partners-revoked = révoquée
partners-stats-title = Visites et inscriptions venues de vos intégrations
partners-stats-by-course = Par cours
partners-stats-course = Cours
partners-stats-key = Clé d’API avec la portée stats:read
partners-stats-show = Afficher les chiffres
partners-stats-refused = Cette clé est inconnue, révoquée, expirée, ou ne peut pas lire ces chiffres.
