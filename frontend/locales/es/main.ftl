# Textos de la interfaz de las páginas web, en español.

## Layout
skip-to-content = Ir al contenido
nav-label = Menú principal
nav-catalogue = Cursos
nav-my-learning = Mi aprendizaje
nav-account = Cuenta
nav-sign-in = Iniciar sesión
nav-sign-up = Crear una cuenta
nav-sign-out = Cerrar sesión
language = Idioma
footer-about = Agora: cursos gratuitos, a su ritmo, para gobiernos locales y regionales.
link-home = Inicio
link-catalogue = Ver los cursos
link-sign-in = Iniciar sesión
link-forgot = Pedir un enlace nuevo
link-account = Configuración de la cuenta

## Flash messages
flash-check-inbox = Revise su bandeja de entrada: le enviamos un enlace para confirmar su dirección. Después, inicie sesión.
flash-signed-in = Ha iniciado sesión.
flash-signed-out = Ha cerrado la sesión.
flash-reset-sent = Si esta dirección tiene una cuenta, le enviamos un enlace para elegir una contraseña nueva.
flash-password-changed = Su contraseña ha cambiado. Inicie sesión con la nueva.
flash-enrolled = Ya está inscrito. Esta es la primera lección.
flash-enrol-first = Inscríbase en este curso para abrir sus lecciones.
flash-lesson-complete = Lección completada. Vamos a la siguiente.
flash-course-complete = ¡Enhorabuena, completó el curso! Su certificado está más abajo.
flash-settings-saved = Su configuración está guardada.
flash-account-deleted = Su cuenta y todo lo vinculado a ella se han eliminado.

## Forms
field-name = Su nombre
field-email = Correo electrónico
field-password = Contraseña
field-new-password = Contraseña nueva
field-password-hint = Al menos 10 caracteres. Unas cuantas palabras sin relación entre sí forman una contraseña segura.
field-locale = Idioma de las páginas y los correos
form-error-email = Escriba un correo electrónico como nombre@ciudad.gob.
form-error-password = Use al menos 10 caracteres y evite las contraseñas comunes: unas cuantas palabras sin relación entre sí forman una contraseña segura.
form-error-name = Escriba un nombre de 1 a 100 caracteres.
form-error-locale = Elija inglés, francés o español.
form-error-generic = Revise este campo.
form-error-sign-in = El correo electrónico o la contraseña no son correctos.
form-error-wrong-password = La contraseña no es correcta.
form-error-rate-limited = Demasiados intentos. Vuelva a intentarlo en { $minutes ->
    [one] un minuto
   *[other] { $minutes } minutos
}.

## Sign up, sign in, passwords
sign-up-title = Crear una cuenta
sign-up-intro = Es gratis. Recibirá un correo para confirmar su dirección.
sign-up-submit = Crear mi cuenta
sign-up-have-account = ¿Ya tiene una cuenta?
sign-in-title = Iniciar sesión
sign-in-submit = Iniciar sesión
sign-in-forgot = ¿Olvidó su contraseña?
sign-in-no-account = ¿Es nuevo en Agora?
forgot-title = Contraseña olvidada
forgot-intro = Escriba su dirección y le enviaremos un enlace para elegir una contraseña nueva.
forgot-submit = Enviarme un enlace
reset-title = Elegir una contraseña nueva
reset-submit = Guardar mi contraseña nueva
verified-title = Su dirección está confirmada
verified-text = Gracias. Ya puede iniciar sesión e inscribirse en los cursos.
verify-failed-title = Este enlace no funciona
verify-failed-text = El enlace de confirmación no es válido, caducó o ya se usó. Si su dirección ya está confirmada, simplemente inicie sesión.
reset-failed-title = Este enlace no funciona
reset-failed-text = El enlace para restablecer la contraseña no es válido, caducó o ya se usó. Pida uno nuevo.

## Home and catalogue
home-title = Aprenda a su ritmo
home-heading = Cursos breves para funcionarios municipales
home-lead = Aprenda a localizar los Objetivos de Desarrollo Sostenible, reducir el riesgo de desastres y construir ciudades del aprendizaje: en español, inglés o francés, entre reuniones y con cualquier conexión.
home-continue = Siga donde lo dejó
home-courses = Cursos populares
home-all-courses = Ver todos los cursos
search-label = Buscar en los cursos
search-submit = Buscar
catalogue-title = Cursos
catalogue-count = { $count ->
    [0] Ningún curso coincide
    [one] Un curso
   *[other] { $formatted } cursos
}
catalogue-empty = Pruebe con otras palabras o quite los filtros.
filters-label = Búsqueda y filtros
filters-more = Filtros y orden
filter-theme = Tema
filter-language = Idioma
filter-level = Nivel
filter-sort = Ordenar por
filter-any = Todos
filter-submit = Aplicar
filter-clear = Quitar los filtros
sort-popular = Más seguidos
sort-title = Título
sort-newest = Más recientes
sort-duration = Más cortos primero
sort-duration-desc = Más largos primero
level-beginner = Inicial
level-intermediate = Intermedio
level-advanced = Avanzado
theme-sdg-short = ODS { $number }
theme-sendai-short = Prioridad de Sendái { $number }
theme-sdg = ODS { $number }: { $name }
theme-sendai = Prioridad de Sendái { $number }: { $name }

## Course page
course-lessons = { $count ->
    [one] una lección
   *[other] { $count } lecciones
}
course-learners = { $count ->
    [0] todavía sin estudiantes
    [one] un estudiante
   *[other] { $formatted } estudiantes
}
course-languages = Idiomas
card-languages = Idiomas: { $list }
course-themes = Temas
course-about = Sobre este curso
course-objectives = Lo que aprenderá
course-syllabus = Programa
course-level = Nivel
course-duration = Duración
course-lessons-label = Lecciones
course-learners-label = Estudiantes
course-enrol = Inscribirse gratis
course-sign-in-to-enrol = Inicie sesión para inscribirse
course-free = Gratis. Cree una cuenta en un minuto.
course-continue = Continuar el curso
course-progress = Su progreso en este curso
course-completed = Curso completado.
kind-text = Lectura
kind-video = Vídeo
kind-resource = Recurso
kind-quiz = Cuestionario

## Lesson player
lesson-breadcrumb = Curso
lesson-watch = Ver el vídeo (abre el sitio del vídeo)
lesson-transcript = Transcripción
lesson-video-placeholder = El vídeo de esta lección aún no está grabado. Su transcripción completa está más abajo.
lesson-download = Descargar el recurso
lesson-complete = Marcar como completada
lesson-completed = ✓ Completó esta lección.
lesson-pager = Lecciones
lesson-previous = Lección anterior
lesson-next = Lección siguiente
lesson-back-to-course = Volver al curso
progress-lessons = { $done } de { $total } lecciones completadas
quiz-heading = Compruebe lo aprendido
quiz-passing = Nota para aprobar: { $score }
quiz-attempts = { $used ->
    [one] un intento hasta ahora
   *[other] { $used } intentos hasta ahora
}
quiz-attempts-of = Intentos usados: { $used } de { $max }
quiz-best = mejor resultado { $score }
quiz-submit = Enviar mis respuestas
quiz-passed = Aprobó con { $score } (nota para aprobar { $passing }).
quiz-failed = Obtuvo { $score }; la nota para aprobar es { $passing }. Lea las explicaciones y vuelva a intentarlo.
quiz-already-passed = Aprobó este cuestionario.
quiz-right = Correcto.
quiz-wrong = No del todo.
quiz-correct-answer = Respuesta correcta:
quiz-error-answer = Responda a esta pregunta.
quiz-error-no-attempts = Ya usó todos los intentos de este cuestionario.

## My learning
my-title = Mi aprendizaje
my-courses = Mis cursos
my-continue = Continuar
my-empty = Todavía no está inscrito en ningún curso.
my-last-activity = Última actividad: { $date }
my-certificates = Mis certificados
my-no-certificates = Complete un curso para recibir un certificado.

## Certificates
certificate-title = Certificado de finalización
certificate-valid = Certificado válido
certificate-revoked = Certificado revocado
certificate-holder = Otorgado a
certificate-course = Curso
certificate-completed = Completado el
certificate-hours = Tiempo de estudio
certificate-issuer = Expedido por
certificate-code = Código de verificación
certificate-explain = Esta página es el registro oficial de este certificado. Si una copia impresa difiere, lo correcto es lo que dice esta página.
certificate-revoked-on = Este certificado fue revocado el { $date }.
certificate-download = Descargar el certificado (PDF)
certificate-preparing = Su certificado se está preparando; vuelva a cargar esta página en un momento.
certificate-public-page = Página pública de verificación
certificate-unknown-title = Certificado no encontrado
certificate-unknown-text = Ningún certificado tiene este código. Compruebe que se copió completo: tiene cuatro grupos de cinco letras y cifras.
unsubscribed-title = Ha cancelado la suscripción
unsubscribed-text = Ya no recibirá recordatorios sobre los cursos que ha dejado en pausa. Puede volver a activarlos en la configuración de su cuenta.
unsubscribe-failed-title = Este enlace no funciona
unsubscribe-failed-text = Este enlace para cancelar la suscripción no es válido. Copie el enlace completo del correo o cambie sus preferencias en la configuración de su cuenta.

## Account
account-title = Configuración de la cuenta
account-profile = Perfil
account-verified = dirección confirmada
account-unverified = dirección aún sin confirmar: revise su bandeja de entrada
account-member-since = Miembro desde el { $date }
account-email-preferences = Correo electrónico
account-reminders = Recordarme por correo cuando lleve una semana sin avanzar en un curso
account-save = Guardar
account-data = Sus datos
account-data-text = Descargue todo lo que Agora guarda sobre usted: perfil, inscripciones, progreso e intentos de cuestionarios, en un archivo JSON.
account-export = Descargar mis datos
account-delete = Eliminar mi cuenta
account-delete-text = Esto elimina su cuenta y su historial de aprendizaje, de inmediato y para siempre. Escriba su contraseña para confirmar.
account-delete-submit = Eliminar mi cuenta para siempre

## Error pages
error-code = Error { $code }
error-400-title = No se pudo atender esta solicitud
error-400-text = Algo no estaba bien en la solicitud. Vuelva atrás e inténtelo de nuevo.
error-403-title = No puede hacer esto
error-403-text = No tiene acceso a esta página, o el formulario caducó. Vuelva atrás, recargue la página e inténtelo de nuevo.
error-404-title = Página no encontrada
error-404-text = No hay nada en esta dirección. Puede que la página se haya movido o que el enlace esté incompleto.
error-429-title = Demasiadas solicitudes
error-429-text = Hizo demasiados intentos en poco tiempo. Espere unos minutos e inténtelo de nuevo.
error-500-title = Se produjo un error
error-500-text = Se produjo un error por nuestra parte. Vuelva a intentarlo en un momento.
error-503-title = No disponible por el momento
error-503-text = Un servicio que Agora necesita no responde. Vuelva a intentarlo en un momento.

## Sustainable Development Goals
sdg-1 = Fin de la pobreza
sdg-2 = Hambre cero
sdg-3 = Salud y bienestar
sdg-4 = Educación de calidad
sdg-5 = Igualdad de género
sdg-6 = Agua limpia y saneamiento
sdg-7 = Energía asequible y no contaminante
sdg-8 = Trabajo decente y crecimiento económico
sdg-9 = Industria, innovación e infraestructura
sdg-10 = Reducción de las desigualdades
sdg-11 = Ciudades y comunidades sostenibles
sdg-12 = Producción y consumo responsables
sdg-13 = Acción por el clima
sdg-14 = Vida submarina
sdg-15 = Vida de ecosistemas terrestres
sdg-16 = Paz, justicia e instituciones sólidas
sdg-17 = Alianzas para lograr los objetivos
sendai-1 = Comprender el riesgo de desastres
sendai-2 = Fortalecer la gobernanza del riesgo de desastres
sendai-3 = Invertir en la reducción del riesgo de desastres para la resiliencia
sendai-4 = Aumentar la preparación y «reconstruir mejor»

## Authoring
nav-author = Edición
author-title = Edición de cursos
author-my-courses = Mis cursos
author-course = Curso
author-status = Estado
author-role = Mi función
author-updated = Último cambio
author-none = Todavía no es autor de ningún curso. Empiece uno abajo, o suba una carpeta de curso en formato zip.
author-new = Empezar un curso
author-field-slug = Nombre corto para la dirección
author-field-slug-hint = Minúsculas, cifras y guiones, por ejemplo calles-sin-inundaciones. No podrá cambiar después.
author-field-locale = Idioma de redacción
author-field-title = Título
author-field-summary = Resumen (una o dos frases)
author-create = Crear el borrador
author-upload = Subir un curso
author-upload-text = Un zip de una carpeta de curso, tal como Agora la descarga: course.yaml y una carpeta por idioma. Crea el curso, o reemplaza el borrador del curso que nombra.
author-field-archive = Zip del curso
author-upload-submit = Subir
author-revision = revisión del borrador
author-version = versión
author-unpublished-changes = El borrador tiene cambios que los participantes aún no ven. Publique para activarlos; los participantes conservan su progreso.
author-publish = Publicar el borrador
author-unpublish = Despublicar
author-view-as-learner = Verlo como participante
author-archive = Archivar
author-report = Seguimiento de participantes
author-download = Descargar en zip
author-warnings = Por revisar
author-files = Archivos
author-file = Archivo
author-size = Bytes
author-new-file = Abrir o crear el archivo
author-open = Abrir
author-upload-folder = Carpeta
author-upload-file = Archivo (PDF, imagen, texto o subtítulos)
author-replace = Reemplazar todo el borrador con un zip
author-translations = Traducciones
author-source-language = idioma de origen
author-translation-complete = al día
author-missing = Falta
author-outdated = Más antiguo que el original
author-authors = Autores
author-remove = Quitar
author-add-author = Invitar a un coautor (correo de una cuenta de autor)
author-add = Invitar
author-versions = Versiones publicadas
author-no-versions = Aún no publicado.
author-audit = Historial
author-when = Cuándo
author-who = Quién
author-what = Qué
author-conflict = Alguien guardó este borrador después de que usted lo abriera, así que su cambio no se guardó. Su texto se conserva abajo: abra la versión actual (nueva revisión), lleve sus cambios y guarde de nuevo.
author-open-current = Abrir la versión actual en otra pestaña
author-content = Contenido
author-save = Guardar
author-preview = Vista previa
author-delete-file = Eliminar el archivo
author-binary = Este archivo no es texto; reemplácelo subiendo uno nuevo.
author-problem-title = Este cambio no se guardó
author-back = Volver
author-status-draft = Borrador
author-status-published = Publicado
author-status-archived = Archivado
author-access-admin = Administrador
author-access-owner = Propietario
author-access-coauthor = Coautor
flash-author-created = El borrador está listo. Nada es visible para los participantes hasta que lo publique.
flash-author-uploaded = Los archivos del curso están guardados en el borrador.
flash-author-no-file = Elija un archivo para subir.
flash-author-published = Publicado: los participantes ven ahora esta versión.
flash-author-unpublished = El curso sale del catálogo. El borrador se conserva.
flash-author-archived = El curso está archivado.
flash-author-authors-saved = Los autores están actualizados.
flash-author-deleted = El archivo se eliminó del borrador.
flash-author-saved = Guardado en el borrador.
# Informe del curso (para administradores y, más adelante, los autores del curso).
report-title = Informe: { $name }
report-heading = Cómo les va a los participantes
report-generated = Cifras al { $date }, { $time } UTC
report-totals = De un vistazo
report-enrolled = Inscritos
report-active = En curso
report-completed = Completado
report-left = Abandonaron
report-completion-rate = Tasa de finalización
report-enrolments = Inscripciones en el tiempo
report-enrolments-by-day = Nuevas inscripciones por día
report-enrolments-by-week = Nuevas inscripciones por semana
report-week-of = Semana del { $date }
report-day = Día
report-week = Semana
report-new-enrolments = Nuevas inscripciones
report-cumulative = Total acumulado
report-show-table = Mostrar las cifras en una tabla
report-no-enrolments = Todavía no se ha inscrito nadie.
report-download-csv = Descargar en CSV
report-funnel = Lección por lección
report-funnel-hint = Cuántos de los participantes inscritos completaron cada lección, en el orden del programa.
report-lesson = Lección
report-kind = Tipo
report-share = Proporción
report-questions = Preguntas de los cuestionarios
report-questions-hint = La proporción de respuestas correctas a cada pregunta, en todos los intentos (incluidos los repetidos).
report-quiz = Cuestionario
report-question = Pregunta
report-question-number = Pregunta { $number }
report-answers = Respuestas
report-correct = Correctas
report-share-correct = Proporción de correctas
report-no-questions = Este curso no tiene cuestionarios.
report-locales = Participantes por idioma
report-locale = Idioma
report-learners = Participantes
report-locale-en = Inglés
report-locale-fr = Francés
report-locale-es = Español
## Partners and embeds
flash-partner-created = El socio está creado.
flash-key-revoked = La clave está revocada.
embed-open = Ver el curso
embed-empty = Todavía no hay cursos que mostrar.
embed-invalid = La configuración de esta inserción no es válida.
embed-not-found = Esta colección o este curso no existe.
partners-title = Socios
partners-new = Nuevo socio
partners-new-key = Nueva clave de API
partners-new-key-once = Copie esta clave ahora: se muestra una sola vez.
partners-slug = Nombre corto (letras, cifras, guiones)
partners-name = Nombre del socio
partners-origins = Orígenes permitidos (uno por línea, p. ej. https://www.example.org)
partners-collections = Colecciones
partners-visits = Visitas desde las inserciones
partners-enrolments = Inscripciones desde las inserciones
partners-keys = Claves de API
partners-key-name = Nombre de la clave
partners-scopes = Alcances
partners-expires = Caduca el (opcional)
partners-create-key = Crear una clave
partners-create = Crear el socio
partners-revoke = Revocar
partners-revoked = revocada
partners-stats-title = Visitas e inscripciones desde sus inserciones
partners-stats-by-course = Por curso
partners-stats-course = Curso
partners-stats-key = Clave de API con el alcance stats:read
partners-stats-show = Mostrar las cifras
partners-stats-refused = Esta clave es desconocida, está revocada o caducada, o no puede leer estas cifras.
