"""The words of the claim page (``/claims/<id>``), in English and Dutch: merged into the
pages' two catalogues (``messages.py``), which a test keeps aligned."""

from __future__ import annotations

EN: dict[str, str] = {
    "claim.title": "Your credential is ready for your wallet",
    "claim.intro": (
        "{issuer} offers you “{name}”. Put it in your digital wallet: scan the code with "
        "your wallet, or open the link on the phone your wallet is on."
    ),
    "claim.expires": "This offer can be used once, until {day}.",
    "claim.qr": "Scan with your wallet",
    "claim.qr.title": "QR code of this offer, for a wallet",
    "claim.open": "Open in your wallet",
    "claim.open.text": "For wallets that take OpenID for Verifiable Credential Issuance.",
    "claim.lcw": "Learner Credential Wallet",
    "claim.lcw.open": "Open in the Learner Credential Wallet",
    "claim.lcw.fallback": "If that does not open the app: this link",
    "claim.lcw.text": "The wallet asks you to pick a profile; it then receives the credential.",
    "claim.download": "Download the credential",
    "claim.download.text": (
        "A file to keep or to upload elsewhere. It is not bound to a wallet: prefer your wallet."
    ),
    "claim.code": "Transaction code",
    "claim.code.hint": (
        "The institution sent you a code with this offer, by another way (a text message, "
        "another e-mail). Enter it to see how to collect the credential."
    ),
    "claim.code.button": "Continue",
    "claim.code.wrong": "That is not the code of this offer. Check it and try again.",
    "claim.code.locked": "Too many wrong codes were tried. Wait a few minutes, then try again.",
    "claim.code.missing": "Enter the code.",
    "claim.unknown": "There is no offer at this address. Check the link you were sent.",
    "claim.used": "This offer was used already: the credential went to a wallet.",
    "claim.expired": "This offer has expired. Ask the institution for a new one.",
    "claim.withdrawn": "The institution withdrew this offer.",
    "claim.erased": "The personal data of this credential was erased.",
}

NL: dict[str, str] = {
    "claim.title": "Je credential staat klaar voor je wallet",
    "claim.intro": (
        "{issuer} biedt je „{name}” aan. Zet het in je digitale wallet: scan de code met "
        "je wallet, of open de link op de telefoon waarop je wallet staat."
    ),
    "claim.expires": "Dit aanbod kan één keer worden gebruikt, tot {day}.",
    "claim.qr": "Scan met je wallet",
    "claim.qr.title": "QR-code van dit aanbod, voor een wallet",
    "claim.open": "Openen in je wallet",
    "claim.open.text": "Voor wallets die OpenID for Verifiable Credential Issuance gebruiken.",
    "claim.lcw": "Learner Credential Wallet",
    "claim.lcw.open": "Openen in de Learner Credential Wallet",
    "claim.lcw.fallback": "Opent de app niet? Gebruik dan deze link",
    "claim.lcw.text": "De wallet vraagt je een profiel te kiezen en ontvangt dan de credential.",
    "claim.download": "De credential downloaden",
    "claim.download.text": (
        "Een bestand om te bewaren of elders te uploaden. Het is niet aan een wallet "
        "gebonden: gebruik liever je wallet."
    ),
    "claim.code": "Transactiecode",
    "claim.code.hint": (
        "De instelling heeft je bij dit aanbod langs een andere weg een code gestuurd (een "
        "sms, een andere e-mail). Vul die in om te zien hoe je de credential ophaalt."
    ),
    "claim.code.button": "Verder",
    "claim.code.wrong": (
        "Dat is niet de code van dit aanbod. Controleer hem en probeer het opnieuw."
    ),
    "claim.code.locked": (
        "Er zijn te veel verkeerde codes geprobeerd. Wacht een paar minuten en probeer het "
        "dan opnieuw."
    ),
    "claim.code.missing": "Vul de code in.",
    "claim.unknown": "Op dit adres staat geen aanbod. Controleer de link die je kreeg.",
    "claim.used": "Dit aanbod is al gebruikt: de credential is naar een wallet gegaan.",
    "claim.expired": "Dit aanbod is verlopen. Vraag de instelling om een nieuw aanbod.",
    "claim.withdrawn": "De instelling heeft dit aanbod ingetrokken.",
    "claim.erased": "De persoonsgegevens van deze credential zijn gewist.",
}
