"""Every word the pages say, in English and Dutch, and which language a visitor gets.

Two flat catalogues with the same keys (a test keeps them so). Texts are for people
who have never heard of a verifiable credential: short sentences, no jargon where a
plain word does. The language comes from ``?lang=``, then the ``lang`` cookie the
switch sets, then ``Accept-Language``; English when nothing matches.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("en", "nl")
DEFAULT = "en"
COOKIE = "lang"

EN: dict[str, str] = {
    "site.name": "credledger",
    "skip": "Skip to the main content",
    "nav.label": "Site",
    "nav.home": "Home",
    "nav.verify": "Check a credential",
    "nav.log": "Public log",
    "nav.docs": "API documentation",
    "lang.switch": "Nederlands",
    "lang.switch.label": "Deze pagina in het Nederlands",
    "footer.stored": "Nothing you submit is stored: the check runs and is forgotten.",
    "home.title": "A public ledger of microcredentials",
    "home.intro": (
        "This ledger records the microcredentials and badges that institutions award. "
        "Anyone can check whether a credential is genuine, still valid and not revoked."
    ),
    "home.verify": "Check a credential",
    "home.verify.text": "Paste it, upload the file or badge image, or give its web address.",
    "home.log": "The public log",
    "home.log.text": (
        "Every event is kept in an append-only log whose state is signed: its newest checkpoint."
    ),
    "home.docs": "For developers",
    "home.docs.text": "The API, with its documentation.",
    "home.facts": "About this ledger",
    "home.base_url": "Address",
    "home.origin": "Log name",
    "home.size": "Entries in the log",
    "verify.title": "Check a credential",
    "verify.intro": (
        "Check whether a credential (a digital diploma, certificate or badge) is genuine, "
        "still valid, and not revoked by the institution that issued it."
    ),
    "verify.paste": "Paste the credential",
    "verify.paste.hint": (
        "The credential, a presentation or a proof bundle, as JSON (or a VC-JWT)."
    ),
    "verify.file": "Or upload a file",
    "verify.file.hint": "A JSON file, or a badge image (PNG or SVG) with the credential in it.",
    "verify.url": "Or give its web address",
    "verify.url.hint": "A public https address where the credential can be read.",
    "verify.url.button": "Check the address",
    "verify.presentation": "For a presentation (optional)",
    "verify.challenge": "Challenge",
    "verify.challenge.hint": "The challenge you gave the holder, to check they signed it now.",
    "verify.domain": "Domain",
    "verify.domain.hint": "The domain the presentation was meant for.",
    "verify.button": "Check",
    "verify.limit": "At most {limit} KB.",
    "verify.private": (
        "Nothing you submit is stored. The check runs on this server and is then forgotten."
    ),
    "result.title": "Result of the check",
    "result.valid": "Valid",
    "result.valid.text": "The credential is genuine, in its validity period and not revoked.",
    "result.invalid": "Not valid",
    "result.invalid.text": "The credential failed a check:",
    "result.undecided": "Could not be checked",
    "result.undecided.text": (
        "Nothing failed, but something needed for the check could not be read. Do not "
        "rely on the credential until it can be checked:"
    ),
    "result.checked_at": "Checked at",
    "result.again": "Check again",
    "result.another": "Check another credential",
    "result.bundle": "Download the offline proof",
    "result.bundle.text": (
        "A file with the credential and its proof from this ledger's log, which anyone can "
        "check without this website."
    ),
    "result.kind": "Checked",
    "result.kind.credential": "a credential",
    "result.kind.presentation": "a presentation",
    "result.kind.bundle": "a proof bundle",
    "result.kind.jwt": "a credential (VC-JWT)",
    "result.nothing": "Nothing to check",
    "result.nothing.text": "Paste a credential, upload a file or give a web address.",
    "result.unreadable": "This could not be read as a credential",
    "section.issuer": "Issued by",
    "section.signature": "Signature",
    "section.validity": "Validity period",
    "section.status": "Status",
    "section.holder": "Holder",
    "section.achievement": "Achievement",
    "section.evidence": "Evidence",
    "section.endorsements": "Endorsements",
    "section.recognitions": "Recognised by institutions in this ledger",
    "recognitions.lead": (
        "These institutions recorded here that they recognise exactly this credential "
        "(the same signed document). Each recognition is an entry in this ledger's log."
    ),
    "section.log": "In this ledger's public log",
    "section.checks": "What was checked",
    "section.credential": "Credential {n}",
    "issuer.name": "Name",
    "issuer.id": "Identifier",
    "issuer.key": "Key found",
    "issuer.key.did_web": "on the website {domain} (did:web)",
    "issuer.key.did_key": "in the identifier itself (did:key)",
    "issuer.key.other": "through the identifier {method}",
    "issuer.known": "Known to this ledger",
    "issuer.known.yes": "Yes: an institution registered here",
    "issuer.known.no": "No: issued elsewhere",
    "issuer.profile": "The institution's profile",
    "signature.suite": "Method",
    "signature.by": "Signed with",
    "signature.created": "Signed at",
    "signature.ok": "The signature is correct: nothing was changed after signing.",
    "signature.failed": "The signature does not match: the credential was changed or forged.",
    "signature.unchecked": "The signature could not be checked.",
    "validity.from": "Valid from",
    "validity.until": "Valid until",
    "validity.none": "No end date.",
    "validity.awarded": "Awarded on",
    "status.none": "This credential has no status entry: it cannot be revoked.",
    "status.purpose": "Kind",
    "status.value": "Now",
    "status.list": "Read from",
    "status.version": "list version {version} of {date}",
    "status.revocation": "Revocation",
    "status.suspension": "Suspension",
    "status.clear": "not set",
    "status.revoked": "revoked",
    "status.suspended": "suspended",
    "status.unknown": "could not be read",
    "holder.id": "Identifier",
    "holder.name": "Name",
    "holder.hashed": "A protected ({kind}) that only the holder can show is theirs",
    "holder.signed": "Signed the presentation",
    "holder.signed.yes": "Yes, for the challenge given",
    "holder.signed.yes_no_challenge": "Yes (no challenge was given, so it may be an old copy)",
    "holder.signed.no": "No",
    "holder.unsigned": "The presentation is not signed by its holder.",
    "achievement.name": "Name",
    "achievement.description": "Description",
    "achievement.variant": "Kind",
    "achievement.ects": "Study load (ECTS)",
    "achievement.sbu": "Study load (SBU)",
    "achievement.eqf": "EQF level",
    "achievement.language": "Language",
    "achievement.assessment": "Assessment",
    "achievement.participation": "Participation",
    "achievement.supervision": "Supervision",
    "achievement.identity": "Identity checked at assessment",
    "achievement.quality": "Quality assurance",
    "achievement.prerequisites": "Prerequisites",
    "achievement.outcomes": "Learning outcomes",
    "achievement.criteria": "Criteria",
    "achievement.result": "Result",
    "yes": "yes",
    "no": "no",
    "evidence.item": "Evidence",
    "endorsement.by": "Endorsed by {name}",
    "recognition.on": "recognised on {date}",
    "recognition.ects": "{ects} ECTS",
    "recognition.exemption": "exemption for {exemption}",
    "log.leaf": "Entry in the log",
    "log.leaf.text": "entry {index}, recorded on {date}",
    "log.checkpoint": "Signed state of the log",
    "log.checkpoint.text": (
        "included in the log's signed checkpoint of {size} entries; the inclusion proof "
        "and the signature were checked"
    ),
    "log.witnesses": "Independent witnesses",
    "log.witnesses.none": "no witness has cosigned this checkpoint yet",
    "log.history": "History",
    "log.history.text": "Issued on {issued}.",
    "history.reasons": "Reasons are shown only where the issuer chose to publish them.",
    "log.not_here": (
        "This ledger has no record of this credential, although it names this ledger."
    ),
    "log.erased": "The holder's personal data was erased from this ledger.",
    "log.other": "Issued elsewhere: this ledger's log says nothing about it.",
    "log.bundle": "The uploaded proof bundle shows it in the log {origin}.",
    "log.unknown": "The log proof could not be checked: {reason}",
    "check.state.passed": "passed",
    "check.state.failed": "failed",
    "check.state.unsettled": "could not be done",
    "check.data-model": "Form: the credential is built as the standard requires.",
    "check.validity": "Period: today falls within its validity period.",
    "check.proof": "Signature: the issuer's digital signature matches the content.",
    "check.status": "Status: the issuer's status list was read (revoked or suspended?).",
    "check.log": "Log: this ledger's public, signed log holds exactly this credential.",
    "reason.status": "the issuer has {status} it",
    "reason.log": "it is not in the log it names",
    "error.too_large": "The file or text is too large: at most {limit} KB.",
    "error.title": "The request could not be handled",
    "error.form": "The form could not be read. Please try again from the check page.",
    "error.back": "Back to the check page",
    "verdict.label": "Verdict",
    "nav.catalogue": "Catalogue",
    "home.catalogue": "The catalogue",
    "home.catalogue.text": "Search the microcredentials and badges the institutions offer.",
    "catalogue.title": "Catalogue",
    "catalogue.intro": "The microcredentials and badges the institutions here award.",
    "catalogue.q": "Search words",
    "catalogue.variant": "Kind",
    "catalogue.variant.any": "any kind",
    "catalogue.variant.regular": "regular",
    "catalogue.variant.microcredential": "microcredential",
    "catalogue.variant.extracurricular": "extracurricular",
    "catalogue.eqf": "EQF level",
    "catalogue.eqf.any": "any level",
    "catalogue.ects_min": "ECTS at least",
    "catalogue.ects_max": "ECTS at most",
    "catalogue.language": "Language (e.g. nl, en)",
    "catalogue.search": "Search",
    "catalogue.results": "Results",
    "catalogue.none": "Nothing found.",
    "catalogue.more": "More match: narrow the search to see them.",
    "catalogue.unknown": "There is no such achievement here.",
    "catalogue.archived": "This achievement is archived: it is no longer awarded.",
    "catalogue.offered_by": "Offered by",
    "issuer.unknown": "There is no such institution here.",
    "issuer.title": "Institution",
    "issuer.website": "Website",
    "issuer.system_id": "Profile in this ledger",
    "issuer.keys": "Signing keys",
    "issuer.key.id": "Key",
    "issuer.key.since": "In force from",
    "issuer.key.until": "Until",
    "issuer.key.state": "State",
    "issuer.key.active": "in force",
    "issuer.key.retired": "retired",
    "issuer.key.compromised": "reported compromised",
    "issuer.achievements": "Achievements offered",
    "reason.data-model": "it is not built as the standard requires",
    "reason.validity": "it is outside its validity period",
    "reason.proof": "the signature does not match: it was changed after signing, or forged",
    "reason.status.revoked": "the issuer has revoked it (status list of {date})",
    "reason.status.revoked.since": "revoked on {date}",
    "reason.status.suspended.since": "suspended on {date}",
    "reason.status.because": "the issuer's reason: {reason}",
    "share.title": "Shared with you",
    "share.lead": (
        "The learner shared this credential with you through a link. It was checked just "
        "now, as shown above; the link works until the learner ends it."
    ),
    "share.qr": "QR code of this link",
    "share.credential": "Download the credential (JSON)",
    "share.bundle": "Download the proof bundle (JSON, for checking offline)",
    "share.linkedin": "Add to LinkedIn profile",
    "share.unknown": "This link opens nothing: it is unknown, or the learner ended it.",
    "share.not_anchored": (
        "The credential is not in a signed checkpoint of the log yet; try again in a minute."
    ),
    "history.CredentialIssued": "issued on {date}",
    "history.CredentialSuspended": "suspended on {date}",
    "history.CredentialReinstated": "reinstated on {date}",
    "history.CredentialRevoked": "revoked on {date}",
    "reason.status.suspended": "the issuer has suspended it (status list of {date})",
    "reason.status.unknown": "the issuer's status list could not be read",
    "reason.proof.unknown": "the issuer's key could not be fetched",
    "reason.not-included": "it names this ledger, but this ledger's log does not hold it",
    "reason.erased": "the holder's data was erased from this ledger",
    "reason.log.unknown": "the log proof could not be checked",
    "reason.holder": "the holder's signature on the presentation does not match the challenge",
    "reason.other": "a check failed",
    "reason.detail": "Technical detail",
    "kind.microcredential": "microcredential",
    "kind.badge": "badge",
}

NL: dict[str, str] = {
    "site.name": "credledger",
    "skip": "Ga naar de inhoud",
    "nav.label": "Website",
    "nav.home": "Start",
    "nav.verify": "Credential controleren",
    "nav.log": "Openbaar logboek",
    "nav.docs": "API-documentatie",
    "lang.switch": "English",
    "lang.switch.label": "This page in English",
    "footer.stored": "Wat u invoert wordt niet bewaard: de controle loopt en wordt vergeten.",
    "home.title": "Een openbaar register van microcredentials",
    "home.intro": (
        "Dit register legt de microcredentials en badges vast die instellingen uitreiken. "
        "Iedereen kan controleren of een credential echt is, nog geldig is en niet "
        "ingetrokken."
    ),
    "home.verify": "Credential controleren",
    "home.verify.text": (
        "Plak hem, upload het bestand of de badge-afbeelding, of geef het webadres."
    ),
    "home.log": "Het openbare logboek",
    "home.log.text": (
        "Elke gebeurtenis staat in een logboek waar niets uit kan verdwijnen; de stand "
        "ervan is ondertekend: het nieuwste controlepunt."
    ),
    "home.docs": "Voor ontwikkelaars",
    "home.docs.text": "De API, met documentatie.",
    "home.facts": "Over dit register",
    "home.base_url": "Adres",
    "home.origin": "Naam van het logboek",
    "home.size": "Regels in het logboek",
    "verify.title": "Credential controleren",
    "verify.intro": (
        "Controleer of een credential (een digitaal diploma, certificaat of badge) echt is, "
        "nog geldig is en niet is ingetrokken door de instelling die hem uitgaf."
    ),
    "verify.paste": "Plak de credential",
    "verify.paste.hint": (
        "De credential, een presentatie of een bewijsbundel, als JSON (of een VC-JWT)."
    ),
    "verify.file": "Of upload een bestand",
    "verify.file.hint": (
        "Een JSON-bestand, of een badge-afbeelding (PNG of SVG) waar de credential in zit."
    ),
    "verify.url": "Of geef het webadres",
    "verify.url.hint": "Een openbaar https-adres waar de credential te lezen is.",
    "verify.url.button": "Adres controleren",
    "verify.presentation": "Voor een presentatie (niet verplicht)",
    "verify.challenge": "Uitdaging (challenge)",
    "verify.challenge.hint": (
        "De challenge die u de houder gaf, om te zien dat die de presentatie nu ondertekende."
    ),
    "verify.domain": "Domein",
    "verify.domain.hint": "Het domein waarvoor de presentatie bedoeld is.",
    "verify.button": "Controleren",
    "verify.limit": "Hoogstens {limit} kB.",
    "verify.private": (
        "Wat u invoert wordt niet bewaard. De controle loopt op deze server en wordt daarna "
        "vergeten."
    ),
    "result.title": "Uitslag van de controle",
    "result.valid": "Geldig",
    "result.valid.text": "De credential is echt, binnen de geldigheidsduur en niet ingetrokken.",
    "result.invalid": "Niet geldig",
    "result.invalid.text": "De credential kwam niet door een controle:",
    "result.undecided": "Kon niet worden gecontroleerd",
    "result.undecided.text": (
        "Er ging niets mis, maar iets wat nodig is voor de controle kon niet worden "
        "gelezen. Vertrouw niet op de credential tot hij gecontroleerd kan worden:"
    ),
    "result.checked_at": "Gecontroleerd op",
    "result.again": "Opnieuw controleren",
    "result.another": "Een andere credential controleren",
    "result.bundle": "Het offline bewijs downloaden",
    "result.bundle.text": (
        "Een bestand met de credential en het bewijs uit het logboek van dit register, dat "
        "iedereen zonder deze website kan controleren."
    ),
    "result.kind": "Gecontroleerd",
    "result.kind.credential": "een credential",
    "result.kind.presentation": "een presentatie",
    "result.kind.bundle": "een bewijsbundel",
    "result.kind.jwt": "een credential (VC-JWT)",
    "result.nothing": "Niets om te controleren",
    "result.nothing.text": "Plak een credential, upload een bestand of geef een webadres.",
    "result.unreadable": "Dit kon niet als credential worden gelezen",
    "section.issuer": "Uitgegeven door",
    "section.signature": "Handtekening",
    "section.validity": "Geldigheidsduur",
    "section.status": "Status",
    "section.holder": "Houder",
    "section.achievement": "Prestatie",
    "section.evidence": "Bewijsstukken",
    "section.endorsements": "Aanbevelingen (endorsements)",
    "section.recognitions": "Erkend door instellingen in dit register",
    "recognitions.lead": (
        "Deze instellingen hebben hier vastgelegd dat ze precies deze credential erkennen "
        "(hetzelfde ondertekende document). Elke erkenning is een regel in het logboek "
        "van dit register."
    ),
    "section.log": "In het openbare logboek van dit register",
    "section.checks": "Wat er is gecontroleerd",
    "section.credential": "Credential {n}",
    "issuer.name": "Naam",
    "issuer.id": "Kenmerk",
    "issuer.key": "Sleutel gevonden",
    "issuer.key.did_web": "op de website {domain} (did:web)",
    "issuer.key.did_key": "in het kenmerk zelf (did:key)",
    "issuer.key.other": "via het kenmerk {method}",
    "issuer.known": "Bekend bij dit register",
    "issuer.known.yes": "Ja: een instelling die hier is ingeschreven",
    "issuer.known.no": "Nee: elders uitgegeven",
    "issuer.profile": "Het profiel van de instelling",
    "signature.suite": "Methode",
    "signature.by": "Ondertekend met",
    "signature.created": "Ondertekend op",
    "signature.ok": "De handtekening klopt: er is na het ondertekenen niets veranderd.",
    "signature.failed": ("De handtekening klopt niet: de credential is veranderd of vervalst."),
    "signature.unchecked": "De handtekening kon niet worden gecontroleerd.",
    "validity.from": "Geldig vanaf",
    "validity.until": "Geldig tot",
    "validity.none": "Geen einddatum.",
    "validity.awarded": "Uitgereikt op",
    "status.none": "Deze credential heeft geen status: hij kan niet worden ingetrokken.",
    "status.purpose": "Soort",
    "status.value": "Nu",
    "status.list": "Gelezen uit",
    "status.version": "versie {version} van de lijst, van {date}",
    "status.revocation": "Intrekking",
    "status.suspension": "Schorsing",
    "status.clear": "niet gezet",
    "status.revoked": "ingetrokken",
    "status.suspended": "geschorst",
    "status.unknown": "kon niet worden gelezen",
    "holder.id": "Kenmerk",
    "holder.name": "Naam",
    "holder.hashed": (
        "Een beschermd(e) {kind}: alleen de houder kan laten zien dat het van hem of haar is"
    ),
    "holder.signed": "Ondertekende de presentatie",
    "holder.signed.yes": "Ja, voor de gegeven challenge",
    "holder.signed.yes_no_challenge": (
        "Ja (er is geen challenge gegeven, dus het kan een oude kopie zijn)"
    ),
    "holder.signed.no": "Nee",
    "holder.unsigned": "De presentatie is niet door de houder ondertekend.",
    "achievement.name": "Naam",
    "achievement.description": "Omschrijving",
    "achievement.variant": "Soort",
    "achievement.ects": "Studielast (ECTS)",
    "achievement.sbu": "Studielast (SBU)",
    "achievement.eqf": "EQF-niveau",
    "achievement.language": "Taal",
    "achievement.assessment": "Toetsing",
    "achievement.participation": "Deelname",
    "achievement.supervision": "Toezicht",
    "achievement.identity": "Identiteit gecontroleerd bij de toets",
    "achievement.quality": "Kwaliteitsborging",
    "achievement.prerequisites": "Toelatingseisen",
    "achievement.outcomes": "Leerresultaten",
    "achievement.criteria": "Eisen",
    "achievement.result": "Resultaat",
    "yes": "ja",
    "no": "nee",
    "evidence.item": "Bewijsstuk",
    "endorsement.by": "Aanbevolen door {name}",
    "recognition.on": "erkend op {date}",
    "recognition.ects": "{ects} EC",
    "recognition.exemption": "vrijstelling voor {exemption}",
    "log.leaf": "Regel in het logboek",
    "log.leaf.text": "regel {index}, vastgelegd op {date}",
    "log.checkpoint": "Ondertekende stand van het logboek",
    "log.checkpoint.text": (
        "opgenomen in het ondertekende controlepunt van {size} regels; het bewijs van "
        "opname en de handtekening zijn gecontroleerd"
    ),
    "log.witnesses": "Onafhankelijke getuigen",
    "log.witnesses.none": "nog geen getuige heeft dit controlepunt medeondertekend",
    "log.history": "Geschiedenis",
    "log.history.text": "Uitgegeven op {issued}.",
    "history.reasons": "Redenen staan er alleen waar de uitgever ervoor koos ze te publiceren.",
    "log.not_here": (
        "Dit register kent deze credential niet, hoewel de credential dit register noemt."
    ),
    "log.erased": "De persoonsgegevens van de houder zijn uit dit register gewist.",
    "log.other": "Elders uitgegeven: het logboek van dit register zegt er niets over.",
    "log.bundle": "De geüploade bewijsbundel toont hem in het logboek {origin}.",
    "log.unknown": "Het bewijs uit het logboek kon niet worden gecontroleerd: {reason}",
    "check.state.passed": "gelukt",
    "check.state.failed": "mislukt",
    "check.state.unsettled": "kon niet worden gedaan",
    "check.data-model": "Vorm: de credential is opgebouwd zoals de standaard voorschrijft.",
    "check.validity": "Periode: vandaag valt binnen de geldigheidsduur.",
    "check.proof": "Handtekening: de digitale handtekening van de uitgever past bij de inhoud.",
    "check.status": (
        "Status: de statuslijst van de uitgever is gelezen (ingetrokken of geschorst?)."
    ),
    "check.log": (
        "Logboek: het openbare, ondertekende logboek van dit register bevat precies deze "
        "credential."
    ),
    "reason.status": "de uitgever heeft hem {status}",
    "reason.log": "hij staat niet in het logboek dat hij noemt",
    "error.too_large": "Het bestand of de tekst is te groot: hoogstens {limit} kB.",
    "error.title": "Het verzoek kon niet worden afgehandeld",
    "error.form": (
        "Het formulier kon niet worden gelezen. Probeer het opnieuw via de controlepagina."
    ),
    "error.back": "Terug naar de controlepagina",
    "verdict.label": "Oordeel",
    "nav.catalogue": "Catalogus",
    "home.catalogue": "De catalogus",
    "home.catalogue.text": "Zoek in de microcredentials en badges die de instellingen aanbieden.",
    "catalogue.title": "Catalogus",
    "catalogue.intro": "De microcredentials en badges die de instellingen hier uitreiken.",
    "catalogue.q": "Zoekwoorden",
    "catalogue.variant": "Soort",
    "catalogue.variant.any": "elke soort",
    "catalogue.variant.regular": "regulier",
    "catalogue.variant.microcredential": "microcredential",
    "catalogue.variant.extracurricular": "extracurriculair",
    "catalogue.eqf": "EQF-niveau",
    "catalogue.eqf.any": "elk niveau",
    "catalogue.ects_min": "ECTS ten minste",
    "catalogue.ects_max": "ECTS hoogstens",
    "catalogue.language": "Taal (bijv. nl, en)",
    "catalogue.search": "Zoeken",
    "catalogue.results": "Resultaten",
    "catalogue.none": "Niets gevonden.",
    "catalogue.more": "Er is meer: verfijn de zoekopdracht om het te zien.",
    "catalogue.unknown": "Deze prestatie bestaat hier niet.",
    "catalogue.archived": "Deze prestatie is gearchiveerd: hij wordt niet meer uitgereikt.",
    "catalogue.offered_by": "Aangeboden door",
    "issuer.unknown": "Deze instelling bestaat hier niet.",
    "issuer.title": "Instelling",
    "issuer.website": "Website",
    "issuer.system_id": "Profiel in dit register",
    "issuer.keys": "Ondertekeningssleutels",
    "issuer.key.id": "Sleutel",
    "issuer.key.since": "Geldig vanaf",
    "issuer.key.until": "Tot",
    "issuer.key.state": "Staat",
    "issuer.key.active": "in gebruik",
    "issuer.key.retired": "buiten gebruik",
    "issuer.key.compromised": "gemeld als gelekt",
    "issuer.achievements": "Aangeboden prestaties",
    "reason.data-model": "hij is niet opgebouwd zoals de standaard voorschrijft",
    "reason.validity": "hij valt buiten zijn geldigheidsduur",
    "reason.proof": "de handtekening klopt niet: hij is na het ondertekenen veranderd, of vervalst",
    "reason.status.revoked": "de uitgever heeft hem ingetrokken (statuslijst van {date})",
    "reason.status.revoked.since": "ingetrokken op {date}",
    "reason.status.suspended.since": "geschorst op {date}",
    "reason.status.because": "reden van de uitgever: {reason}",
    "share.title": "Met u gedeeld",
    "share.lead": (
        "De lerende heeft deze credential via een link met u gedeeld. Hij is zojuist "
        "gecontroleerd, zoals hierboven staat; de link werkt tot de lerende hem beëindigt."
    ),
    "share.qr": "QR-code van deze link",
    "share.credential": "Download de credential (JSON)",
    "share.bundle": "Download de bewijsbundel (JSON, om offline te controleren)",
    "share.linkedin": "Toevoegen aan LinkedIn-profiel",
    "share.unknown": "Deze link opent niets: hij is onbekend, of de lerende heeft hem beëindigd.",
    "share.not_anchored": (
        "De credential staat nog niet in een ondertekend controlepunt van het logboek; "
        "probeer het over een minuut opnieuw."
    ),
    "history.CredentialIssued": "uitgegeven op {date}",
    "history.CredentialSuspended": "geschorst op {date}",
    "history.CredentialReinstated": "hersteld op {date}",
    "history.CredentialRevoked": "ingetrokken op {date}",
    "reason.status.suspended": "de uitgever heeft hem geschorst (statuslijst van {date})",
    "reason.status.unknown": "de statuslijst van de uitgever kon niet worden gelezen",
    "reason.proof.unknown": "de sleutel van de uitgever kon niet worden opgehaald",
    "reason.not-included": (
        "hij noemt dit register, maar het logboek van dit register bevat hem niet"
    ),
    "reason.erased": "de gegevens van de houder zijn uit dit register gewist",
    "reason.log.unknown": "het bewijs uit het logboek kon niet worden gecontroleerd",
    "reason.holder": "de handtekening van de houder op de presentatie past niet bij de challenge",
    "reason.other": "een controle mislukte",
    "reason.detail": "Technische details",
    "kind.microcredential": "microcredential",
    "kind.badge": "badge",
}

CATALOGUES: Mapping[str, Mapping[str, str]] = {"en": EN, "nl": NL}


class Messages:
    """One language's catalogue, callable from templates: ``t("key", name=value)``."""

    def __init__(self, language: str) -> None:
        self.language = language if language in CATALOGUES else DEFAULT
        self.catalogue = CATALOGUES[self.language]

    def __call__(self, key: str, **values: object) -> str:
        text = self.catalogue.get(key) or EN.get(key) or key
        return text.format(**values) if values else text

    @property
    def other(self) -> str:
        """The language the switch offers."""
        return "nl" if self.language == "en" else "en"


def _accept_language(header: str) -> str | None:
    """The first supported language in an Accept-Language header, by its q-values."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page language: the switch (query), the remembered choice, the browser's."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return str(choice)
    return _accept_language(accept_language or "") or DEFAULT
