# Interface strings of the web pages, in English.
# Every key here must exist in fr/ and es/ too (a test checks).

## Layout
skip-to-content = Skip to content
nav-label = Main
nav-catalogue = Courses
nav-my-learning = My learning
nav-account = Account
nav-sign-in = Sign in
nav-sign-up = Create an account
nav-sign-out = Sign out
language = Language
footer-about = Agora: free, self-paced courses for local and regional governments.
link-home = Home
link-catalogue = Browse the courses
link-sign-in = Sign in
link-forgot = Ask for a new link
link-account = Account settings

## Flash messages
flash-check-inbox = Check your inbox: we sent you a link to confirm your address. Then sign in.
flash-signed-in = You are signed in.
flash-signed-out = You are signed out.
flash-reset-sent = If this address has an account, we sent it a link to choose a new password.
flash-password-changed = Your password is changed. Sign in with the new one.
flash-enrolled = You are enrolled. Here is the first lesson.
flash-enrol-first = Enrol in this course to open its lessons.
flash-lesson-complete = Lesson completed. On to the next one.
flash-course-complete = Congratulations, you completed the course! Your certificate is below.
flash-settings-saved = Your settings are saved.
flash-account-deleted = Your account and everything attached to it are deleted.

## Forms
field-name = Your name
field-email = Email address
field-password = Password
field-new-password = New password
field-password-hint = At least 10 characters. A few unrelated words make a strong password.
field-locale = Language for pages and email
form-error-email = Enter an email address such as name@city.gov.
form-error-password = Use at least 10 characters and avoid common passwords: a few unrelated words make a strong one.
form-error-name = Enter a name of 1 to 100 characters.
form-error-locale = Choose English, French or Spanish.
form-error-generic = Check this field.
form-error-sign-in = The email address or password is wrong.
form-error-wrong-password = The password is wrong.
form-error-rate-limited = Too many attempts. Try again in { $minutes ->
    [one] one minute
   *[other] { $minutes } minutes
}.

## Sign up, sign in, passwords
sign-up-title = Create an account
sign-up-intro = It is free. You will receive an email to confirm your address.
sign-up-submit = Create my account
sign-up-have-account = Already have an account?
sign-in-title = Sign in
sign-in-submit = Sign in
sign-in-forgot = Forgot your password?
sign-in-no-account = New to Agora?
forgot-title = Forgotten password
forgot-intro = Enter your address and we will send you a link to choose a new password.
forgot-submit = Send me a link
reset-title = Choose a new password
reset-submit = Save my new password
verified-title = Your address is confirmed
verified-text = Thank you. You can now sign in and enrol in courses.
verify-failed-title = This link does not work
verify-failed-text = The confirmation link is invalid, expired or already used. If your address is already confirmed, just sign in.
reset-failed-title = This link does not work
reset-failed-text = The password reset link is invalid, expired or already used. Ask for a new one.

## Home and catalogue
home-title = Learn at your own pace
home-heading = Short courses for city officials
home-lead = Learn to localise the Sustainable Development Goals, reduce disaster risk and build learning cities: in English, French or Spanish, between meetings, on any connection.
home-continue = Continue where you left off
home-courses = Popular courses
home-all-courses = See all courses
search-label = Search the courses
search-submit = Search
catalogue-title = Courses
catalogue-count = { $count ->
    [0] No course matches
    [one] One course
   *[other] { $formatted } courses
}
catalogue-empty = Try other words, or clear the filters.
filters-label = Search and filters
filters-more = Filters and sorting
filter-theme = Theme
filter-language = Language
filter-level = Level
filter-sort = Sort by
filter-any = Any
filter-submit = Apply
filter-clear = Clear the filters
sort-popular = Most popular
sort-title = Title
sort-newest = Newest
sort-duration = Shortest first
sort-duration-desc = Longest first
level-beginner = Beginner
level-intermediate = Intermediate
level-advanced = Advanced
theme-sdg-short = SDG { $number }
theme-sendai-short = Sendai priority { $number }
theme-sdg = SDG { $number }: { $name }
theme-sendai = Sendai priority { $number }: { $name }

## Course page
course-lessons = { $count ->
    [one] one lesson
   *[other] { $count } lessons
}
course-learners = { $count ->
    [0] no learners yet
    [one] one learner
   *[other] { $formatted } learners
}
course-languages = Languages
card-languages = Languages: { $list }
course-themes = Themes
course-about = About this course
course-objectives = What you will learn
course-syllabus = Syllabus
course-level = Level
course-duration = Duration
course-lessons-label = Lessons
course-learners-label = Learners
course-enrol = Enrol for free
course-sign-in-to-enrol = Sign in to enrol
course-free = Free. Create an account in a minute.
course-continue = Continue the course
course-progress = Your progress in this course
course-completed = Course completed.
kind-text = Reading
kind-video = Video
kind-resource = Resource
kind-quiz = Quiz

## Lesson player
lesson-breadcrumb = Course
lesson-watch = Watch the video (opens the video site)
lesson-transcript = Transcript
lesson-video-placeholder = The video of this lesson is not recorded yet. Its full transcript is below.
lesson-download = Download the resource
lesson-complete = Mark as complete
lesson-completed = ✓ You completed this lesson.
lesson-pager = Lessons
lesson-previous = Previous lesson
lesson-next = Next lesson
lesson-back-to-course = Back to the course
progress-lessons = { $done } of { $total } lessons completed
quiz-heading = Check your understanding
quiz-passing = Pass mark: { $score }
quiz-attempts = { $used ->
    [one] one attempt so far
   *[other] { $used } attempts so far
}
quiz-attempts-of = Attempt { $used } of { $max } used
quiz-best = best score { $score }
quiz-submit = Submit my answers
quiz-passed = You passed with { $score } (pass mark { $passing }).
quiz-failed = You scored { $score }; the pass mark is { $passing }. Read the explanations and try again.
quiz-already-passed = You passed this quiz.
quiz-right = Correct.
quiz-wrong = Not quite.
quiz-correct-answer = Right answer:
quiz-error-answer = Answer this question.
quiz-error-no-attempts = You have used every attempt at this quiz.

## My learning
my-title = My learning
my-courses = My courses
my-continue = Continue
my-empty = You are not enrolled in any course yet.
my-last-activity = Last activity: { $date }
my-certificates = My certificates
my-no-certificates = Complete a course to receive a certificate.

## Certificates
certificate-title = Certificate of completion
certificate-valid = Valid certificate
certificate-revoked = Revoked certificate
certificate-holder = Awarded to
certificate-course = Course
certificate-completed = Completed on
certificate-hours = Study time
certificate-issuer = Issued by
certificate-code = Verification code
certificate-explain = This page is the authoritative record of this certificate. If the details on a printed copy differ, this page is right.
certificate-revoked-on = This certificate was revoked on { $date }.
certificate-download = Download the certificate (PDF)
certificate-preparing = Your certificate is being prepared; reload this page in a moment.
certificate-public-page = Public verification page
certificate-unknown-title = No such certificate
certificate-unknown-text = No certificate has this code. Check that it was copied in full: it has four groups of five letters and digits.
unsubscribed-title = You are unsubscribed
unsubscribed-text = You will no longer receive reminders about courses you have paused. You can turn them back on in your account settings.
unsubscribe-failed-title = This link does not work
unsubscribe-failed-text = This unsubscribe link is not valid. Copy the whole link from the email, or change your email preferences in your account settings.

## Account
account-title = Account settings
account-profile = Profile
account-verified = address confirmed
account-unverified = address not confirmed yet: check your inbox
account-member-since = Member since { $date }
account-email-preferences = Email
account-reminders = Remind me by email when I have not continued a course for a week
account-save = Save
account-data = Your data
account-data-text = Download everything Agora holds about you: your profile, enrolments, progress and quiz attempts, as a JSON file.
account-export = Download my data
account-delete = Delete my account
account-delete-text = This deletes your account and your learning records at once and for good. Enter your password to confirm.
account-delete-submit = Delete my account for good

## Error pages
error-code = Error { $code }
error-400-title = This request could not be handled
error-400-text = Something in the request was not right. Go back and try again.
error-403-title = You cannot do this
error-403-text = You are not allowed to see this page, or the form expired. Go back, reload the page and try again.
error-404-title = Page not found
error-404-text = There is nothing at this address. It may have moved, or the link may be incomplete.
error-429-title = Too many requests
error-429-text = You made too many attempts in a short time. Wait a few minutes and try again.
error-500-title = Something went wrong
error-500-text = Something went wrong on our side. Please try again in a moment.
error-503-title = Temporarily unavailable
error-503-text = A service Agora needs is not answering. Please try again in a moment.

## Sustainable Development Goals
sdg-1 = No poverty
sdg-2 = Zero hunger
sdg-3 = Good health and well-being
sdg-4 = Quality education
sdg-5 = Gender equality
sdg-6 = Clean water and sanitation
sdg-7 = Affordable and clean energy
sdg-8 = Decent work and economic growth
sdg-9 = Industry, innovation and infrastructure
sdg-10 = Reduced inequalities
sdg-11 = Sustainable cities and communities
sdg-12 = Responsible consumption and production
sdg-13 = Climate action
sdg-14 = Life below water
sdg-15 = Life on land
sdg-16 = Peace, justice and strong institutions
sdg-17 = Partnerships for the goals
sendai-1 = Understanding disaster risk
sendai-2 = Strengthening disaster risk governance
sendai-3 = Investing in disaster risk reduction for resilience
sendai-4 = Enhancing preparedness and "Build Back Better"

## Authoring
nav-author = Authoring
author-title = Authoring
author-my-courses = My courses
author-course = Course
author-status = Status
author-role = My role
author-updated = Last change
author-none = You do not author any course yet. Start one below, or upload a course folder as a zip.
author-new = Start a course
author-field-slug = Short name for the address
author-field-slug-hint = Lowercase letters, digits and hyphens, e.g. flood-ready-streets. It cannot change later.
author-field-locale = Language you write in
author-field-title = Title
author-field-summary = Summary (one or two sentences)
author-create = Create the draft
author-upload = Upload a course
author-upload-text = A zip of one course folder, as Agora downloads it: course.yaml, one folder per language. It creates the course, or replaces the draft of the course it names.
author-field-archive = Course zip
author-upload-submit = Upload
author-revision = draft revision
author-version = version
author-unpublished-changes = The draft has changes that learners do not see yet. Publish to make them live; learners keep their progress.
author-publish = Publish the draft
author-unpublish = Unpublish
author-view-as-learner = See it as a learner
author-archive = Archive
author-report = How learners fare
author-download = Download as zip
author-warnings = To check
author-files = Files
author-file = File
author-size = Bytes
author-new-file = Open or create the file
author-open = Open
author-upload-folder = Folder
author-upload-file = File (PDF, image, text or captions)
author-replace = Replace the whole draft with a zip
author-translations = Translations
author-source-language = source language
author-translation-complete = up to date
author-missing = Missing
author-outdated = Older than the source
author-authors = Authors
author-remove = Remove
author-add-author = Invite a co-author (email of an author account)
author-add = Invite
author-versions = Published versions
author-no-versions = Not published yet.
author-audit = History
author-when = When
author-who = Who
author-what = What
author-conflict = Someone saved this draft after you opened it, so your change was not saved. Your text is kept below: open the current version, bring your changes over, and save again.
author-open-current = Open the current version in a new tab
author-content = Content
author-save = Save
author-preview = Preview
author-delete-file = Delete the file
author-binary = This file is not text; replace it by uploading a new one.
author-problem-title = This change was not saved
author-back = Back
author-status-draft = Draft
author-status-published = Published
author-status-archived = Archived
author-access-admin = Administrator
author-access-owner = Owner
author-access-coauthor = Co-author
flash-author-created = The draft is ready. Nothing is visible to learners until you publish.
flash-author-uploaded = The course files are saved in the draft.
flash-author-no-file = Choose a file to upload.
flash-author-published = Published: learners now see this version.
flash-author-unpublished = The course is out of the catalogue. The draft is kept.
flash-author-archived = The course is archived.
flash-author-authors-saved = The authors are updated.
flash-author-deleted = The file is deleted from the draft.
flash-author-saved = Saved in the draft.
# Course report (for administrators and, later, the course's authors).
report-title = Report: { $name }
report-heading = How learners fare
report-generated = Figures as of { $date }, { $time } UTC
report-totals = At a glance
report-enrolled = Enrolled
report-active = In progress
report-completed = Completed
report-left = Left
report-completion-rate = Completion rate
report-enrolments = Enrolments over time
report-enrolments-by-day = New enrolments per day
report-enrolments-by-week = New enrolments per week
report-week-of = Week of { $date }
report-day = Day
report-week = Week
report-new-enrolments = New enrolments
report-cumulative = Total so far
report-show-table = Show the figures as a table
report-no-enrolments = Nobody has enrolled yet.
report-download-csv = Download as CSV
report-funnel = Lesson by lesson
report-funnel-hint = How many of the enrolled learners completed each lesson, in syllabus order.
report-lesson = Lesson
report-kind = Kind
report-share = Share
report-questions = Quiz questions
report-questions-hint = The share of right answers to each question, over every attempt (retries included).
report-quiz = Quiz
report-question = Question
report-question-number = Question { $number }
report-answers = Answers
report-correct = Right
report-share-correct = Share right
report-no-questions = This course has no quiz.
report-locales = Learners by language
report-locale = Language
report-learners = Learners
report-locale-en = English
report-locale-fr = French
report-locale-es = Spanish
## Partners and embeds
flash-partner-created = The partner is created.
flash-key-revoked = The key is revoked.
embed-open = View the course
embed-empty = No courses to show yet.
embed-invalid = This embed's settings are not valid.
embed-not-found = This collection or course does not exist.
partners-title = Partners
partners-new = New partner
partners-new-key = New API key
partners-new-key-once = Copy this key now: it is shown once and cannot be seen again.
partners-slug = Short name (letters, digits, hyphens)
partners-name = Partner name
partners-origins = Allowed origins (one per line, e.g. https://www.example.org)
partners-collections = Collections
partners-visits = Visits from embeds
partners-enrolments = Enrolments from embeds
partners-keys = API keys
partners-key-name = Key name
partners-scopes = Scopes
partners-expires = Expires on (optional)
partners-create-key = Create a key
partners-create = Create the partner
partners-revoke = Revoke
partners-revoked = revoked
partners-stats-title = Visits and enrolments from your embeds
partners-stats-by-course = By course
partners-stats-course = Course
partners-stats-key = API key with the stats:read scope
partners-stats-show = Show the figures
partners-stats-refused = This key is unknown, revoked, expired, or cannot read these figures.
