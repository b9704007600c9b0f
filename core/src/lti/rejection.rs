//! Why a launch was refused: each has a code (the page names it, in the
//! reader's language) and the status it answers with. Nothing is signed in.

/// A refused login initiation, launch or deep linking answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the login names no registered platform")]
    UnknownPlatform,
    #[error("the state does not match this browser's")]
    StateMismatch,
    #[error("the sign-in expired or did not start here")]
    UnknownState,
    #[error("this launch was already used (its nonce was seen before)")]
    ReplayedNonce,
    #[error("the id_token is not a well-formed JWT")]
    MalformedToken,
    #[error("only RS256-signed tokens are accepted")]
    AlgorithmNotAllowed,
    #[error("the token is signed with a key the platform does not publish")]
    UnknownKey,
    #[error("the token's signature does not match")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token was issued in the future")]
    IssuedInFuture,
    #[error("the token's issuer is not the platform's")]
    WrongIssuer,
    #[error("the token is not addressed to Agora's client id")]
    WrongAudience,
    #[error("the token's authorized party is not Agora's client id")]
    WrongAuthorizedParty,
    #[error("the nonce is not the one this sign-in sent")]
    WrongNonce,
    #[error("the message type is not one Agora handles")]
    WrongMessageType,
    #[error("the LTI version is not 1.3.0")]
    WrongVersion,
    #[error("the deployment is not registered for this platform")]
    UnknownDeployment,
    #[error("the target link is not the one the login named, or not an Agora course or lesson")]
    WrongTargetLink,
    #[error("the launch has no resource link id")]
    MissingResourceLink,
    #[error("the launch names no user")]
    MissingSubject,
    #[error("the deep linking request has no return address")]
    MissingDeepLinkSettings,
    #[error("only instructors may choose content")]
    NotInstructor,
    #[error("the platform's keys could not be fetched")]
    KeysUnavailable,
}

impl Rejection {
    /// The code pages and logs name it by.
    pub fn code(self) -> &'static str {
        use Rejection::*;
        match self {
            UnknownPlatform => "unknown-platform",
            StateMismatch => "state-mismatch",
            UnknownState => "unknown-state",
            ReplayedNonce => "replayed-nonce",
            MalformedToken => "malformed-token",
            AlgorithmNotAllowed => "algorithm",
            UnknownKey => "unknown-key",
            BadSignature => "bad-signature",
            Expired => "expired",
            IssuedInFuture => "issued-in-future",
            WrongIssuer => "wrong-issuer",
            WrongAudience => "wrong-audience",
            WrongAuthorizedParty => "wrong-azp",
            WrongNonce => "wrong-nonce",
            WrongMessageType => "wrong-message-type",
            WrongVersion => "wrong-version",
            UnknownDeployment => "unknown-deployment",
            WrongTargetLink => "wrong-target-link",
            MissingResourceLink => "missing-resource-link",
            MissingSubject => "missing-subject",
            MissingDeepLinkSettings => "missing-deep-link-settings",
            NotInstructor => "not-instructor",
            KeysUnavailable => "keys-unavailable",
        }
    }

    /// Bad input is a 400; a choice only instructors make, 403; the
    /// platform's key set out of reach, 503.
    pub fn status(self) -> u16 {
        match self {
            Rejection::NotInstructor => 403,
            Rejection::KeysUnavailable => 503,
            _ => 400,
        }
    }

    /// Every code, for the interface strings' test.
    pub const ALL: [Rejection; 23] = {
        use Rejection::*;
        [
            UnknownPlatform,
            StateMismatch,
            UnknownState,
            ReplayedNonce,
            MalformedToken,
            AlgorithmNotAllowed,
            UnknownKey,
            BadSignature,
            Expired,
            IssuedInFuture,
            WrongIssuer,
            WrongAudience,
            WrongAuthorizedParty,
            WrongNonce,
            WrongMessageType,
            WrongVersion,
            UnknownDeployment,
            WrongTargetLink,
            MissingResourceLink,
            MissingSubject,
            MissingDeepLinkSettings,
            NotInstructor,
            KeysUnavailable,
        ]
    };
}

/// What the launch, login and deep linking services answer.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(transparent)]
    Rejected(#[from] Rejection),
    #[error(transparent)]
    Core(#[from] crate::Error),
}

impl From<sea_orm::DbErr> for LaunchError {
    fn from(e: sea_orm::DbErr) -> Self {
        LaunchError::Core(e.into())
    }
}
