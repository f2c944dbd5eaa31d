"""The GDPR's own terms in English, Finnish and Swedish: the names of the Art. 6(1) legal
bases and of the data-subject rights (Art. 7(3), 13-22, 77), with a plain explanation of
each right. They are terms of the Regulation, so the notice words them itself and cites the
article, following the official language versions (tietosuoja-asetus /
dataskyddsförordningen); *which* of them apply is decided by
:mod:`checker.notice.basis_rights`, never here.
"""

from __future__ import annotations

from typing import Final

from checker.vocab.namespaces import PREFIXES

EU_GDPR: Final = PREFIXES["eu-gdpr"]

#: Names of the GDPR's Art. 6(1) legal bases, by IRI, in each language.
LEGAL_BASES: Final[dict[str, dict[str, str]]] = {
    EU_GDPR + "A6-1-a": {
        "en": "consent of the data subject (GDPR Art. 6(1)(a))",
        "fi": "rekisteröidyn suostumus (tietosuoja-asetuksen 6 artiklan 1 kohdan a alakohta)",
        "sv": "den registrerades samtycke (artikel 6.1 a i dataskyddsförordningen)",
    },
    EU_GDPR + "A6-1-b": {
        "en": "performance of a contract with the data subject, or steps taken at their "
        "request before entering into one (GDPR Art. 6(1)(b))",
        "fi": "rekisteröidyn kanssa tehdyn sopimuksen täytäntöönpano tai sopimuksen tekemistä "
        "edeltävät toimenpiteet (tietosuoja-asetuksen 6 artiklan 1 kohdan b alakohta)",
        "sv": "fullgörande av ett avtal med den registrerade eller åtgärder på hans eller "
        "hennes begäran innan ett avtal ingås (artikel 6.1 b i dataskyddsförordningen)",
    },
    EU_GDPR + "A6-1-c": {
        "en": "compliance with a legal obligation of the controller (GDPR Art. 6(1)(c))",
        "fi": "rekisterinpitäjän lakisääteisen velvoitteen noudattaminen "
        "(tietosuoja-asetuksen 6 artiklan 1 kohdan c alakohta)",
        "sv": "fullgörande av en rättslig förpliktelse som åvilar den personuppgiftsansvarige "
        "(artikel 6.1 c i dataskyddsförordningen)",
    },
    EU_GDPR + "A6-1-d": {
        "en": "protection of the vital interests of the data subject or of another natural "
        "person (GDPR Art. 6(1)(d))",
        "fi": "rekisteröidyn tai toisen luonnollisen henkilön elintärkeiden etujen suojaaminen "
        "(tietosuoja-asetuksen 6 artiklan 1 kohdan d alakohta)",
        "sv": "skydd av grundläggande intressen för den registrerade eller för en annan fysisk "
        "person (artikel 6.1 d i dataskyddsförordningen)",
    },
    EU_GDPR + "A6-1-e": {
        "en": "performance of a task carried out in the public interest or in the exercise of "
        "official authority (GDPR Art. 6(1)(e))",
        "fi": "yleistä etua koskevan tehtävän suorittaminen tai julkisen vallan käyttäminen "
        "(tietosuoja-asetuksen 6 artiklan 1 kohdan e alakohta)",
        "sv": "utförande av en uppgift av allmänt intresse eller som ett led i "
        "myndighetsutövning (artikel 6.1 e i dataskyddsförordningen)",
    },
    EU_GDPR + "A6-1-f": {
        "en": "legitimate interests of the controller or of a third party (GDPR Art. 6(1)(f))",
        "fi": "rekisterinpitäjän tai kolmannen osapuolen oikeutetut edut "
        "(tietosuoja-asetuksen 6 artiklan 1 kohdan f alakohta)",
        "sv": "den personuppgiftsansvariges eller en tredje parts berättigade intressen "
        "(artikel 6.1 f i dataskyddsförordningen)",
    },
}

#: Name and plain explanation of the GDPR's data-subject rights, by IRI, in each language.
RIGHTS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    EU_GDPR + "A7-3": {
        "en": (
            "Right to withdraw consent (GDPR Art. 7(3))",
            "You may withdraw your consent at any time; this does not affect the lawfulness "
            "of the processing before the withdrawal.",
        ),
        "fi": (
            "Oikeus peruuttaa suostumus (tietosuoja-asetuksen 7 artiklan 3 kohta)",
            "Voit peruuttaa suostumuksesi milloin tahansa; peruuttaminen ei vaikuta sitä "
            "ennen tapahtuneen käsittelyn lainmukaisuuteen.",
        ),
        "sv": (
            "Rätt att återkalla samtycke (artikel 7.3 i dataskyddsförordningen)",
            "Du kan när som helst återkalla ditt samtycke; det påverkar inte lagligheten av "
            "behandlingen innan samtycket återkallades.",
        ),
    },
    EU_GDPR + "A13": {
        "en": (
            "Right to be informed (GDPR Art. 13)",
            "When personal data are collected from you, you are given the information in "
            "this notice.",
        ),
        "fi": (
            "Oikeus saada tietoa (tietosuoja-asetuksen 13 artikla)",
            "Kun henkilötietoja kerätään sinulta, sinulle annetaan tämän selosteen tiedot.",
        ),
        "sv": (
            "Rätt till information (artikel 13 i dataskyddsförordningen)",
            "När personuppgifter samlas in från dig får du informationen i denna beskrivning.",
        ),
    },
    EU_GDPR + "A14": {
        "en": (
            "Right to be informed when the data are not obtained from you (GDPR Art. 14)",
            "When personal data are obtained from elsewhere, you are given the information "
            "in this notice, including the source of the data.",
        ),
        "fi": (
            "Oikeus saada tietoa, kun tietoja ei ole saatu sinulta (tietosuoja-asetuksen "
            "14 artikla)",
            "Kun henkilötiedot on saatu muualta, sinulle annetaan tämän selosteen tiedot, "
            "myös tietojen lähde.",
        ),
        "sv": (
            "Rätt till information när uppgifterna inte har erhållits från dig (artikel 14 i "
            "dataskyddsförordningen)",
            "När personuppgifter har erhållits från annat håll får du informationen i denna "
            "beskrivning, också varifrån uppgifterna kommer.",
        ),
    },
    EU_GDPR + "A15": {
        "en": (
            "Right of access (GDPR Art. 15)",
            "You may ask whether your personal data are processed and receive a copy of them.",
        ),
        "fi": (
            "Oikeus saada pääsy tietoihin (tietosuoja-asetuksen 15 artikla)",
            "Voit pyytää tietoa siitä, käsitelläänkö henkilötietojasi, ja saada niistä "
            "jäljennöksen.",
        ),
        "sv": (
            "Rätt till tillgång (artikel 15 i dataskyddsförordningen)",
            "Du kan begära besked om huruvida dina personuppgifter behandlas och få en kopia "
            "av dem.",
        ),
    },
    EU_GDPR + "A16": {
        "en": (
            "Right to rectification (GDPR Art. 16)",
            "You may ask for inaccurate personal data to be corrected and incomplete data to "
            "be completed.",
        ),
        "fi": (
            "Oikeus tietojen oikaisemiseen (tietosuoja-asetuksen 16 artikla)",
            "Voit pyytää virheellisten tietojen oikaisemista ja puutteellisten tietojen "
            "täydentämistä.",
        ),
        "sv": (
            "Rätt till rättelse (artikel 16 i dataskyddsförordningen)",
            "Du kan begära att felaktiga personuppgifter rättas och att ofullständiga "
            "uppgifter kompletteras.",
        ),
    },
    EU_GDPR + "A17": {
        "en": (
            "Right to erasure (GDPR Art. 17)",
            "You may ask for your personal data to be erased when there is no longer a ground "
            "to keep them.",
        ),
        "fi": (
            "Oikeus tietojen poistamiseen (tietosuoja-asetuksen 17 artikla)",
            "Voit pyytää henkilötietojesi poistamista, kun niiden säilyttämiselle ei enää ole "
            "perustetta.",
        ),
        "sv": (
            "Rätt till radering (artikel 17 i dataskyddsförordningen)",
            "Du kan begära att dina personuppgifter raderas när det inte längre finns grund "
            "att behålla dem.",
        ),
    },
    EU_GDPR + "A18": {
        "en": (
            "Right to restriction of processing (GDPR Art. 18)",
            "You may ask for the processing to be restricted, for example while the accuracy "
            "of the data is checked.",
        ),
        "fi": (
            "Oikeus käsittelyn rajoittamiseen (tietosuoja-asetuksen 18 artikla)",
            "Voit pyytää käsittelyn rajoittamista esimerkiksi siksi aikaa, kun tietojen "
            "paikkansapitävyyttä tarkistetaan.",
        ),
        "sv": (
            "Rätt till begränsning av behandling (artikel 18 i dataskyddsförordningen)",
            "Du kan begära att behandlingen begränsas, till exempel medan uppgifternas "
            "riktighet kontrolleras.",
        ),
    },
    EU_GDPR + "A19": {
        "en": (
            "Notification of rectification, erasure or restriction (GDPR Art. 19)",
            "The controller tells each recipient of your data about a rectification, erasure "
            "or restriction, and tells you who the recipients are if you ask.",
        ),
        "fi": (
            "Oikaisuista, poistoista ja rajoituksista ilmoittaminen (tietosuoja-asetuksen "
            "19 artikla)",
            "Rekisterinpitäjä ilmoittaa oikaisusta, poistosta tai rajoituksesta tietojesi "
            "vastaanottajille ja pyynnöstäsi kertoo, keitä vastaanottajat ovat.",
        ),
        "sv": (
            "Anmälan om rättelse, radering eller begränsning (artikel 19 i dataskyddsförordningen)",
            "Den personuppgiftsansvarige underrättar mottagarna av dina uppgifter om rättelse, "
            "radering eller begränsning och informerar dig om mottagarna om du begär det.",
        ),
    },
    EU_GDPR + "A20": {
        "en": (
            "Right to data portability (GDPR Art. 20)",
            "You may receive the personal data you have provided in a machine-readable format "
            "and have them transmitted to another controller.",
        ),
        "fi": (
            "Oikeus siirtää tiedot järjestelmästä toiseen (tietosuoja-asetuksen 20 artikla)",
            "Voit saada toimittamasi henkilötiedot koneluettavassa muodossa ja siirtää ne "
            "toiselle rekisterinpitäjälle.",
        ),
        "sv": (
            "Rätt till dataportabilitet (artikel 20 i dataskyddsförordningen)",
            "Du kan få de personuppgifter som du har lämnat i ett maskinläsbart format och "
            "överföra dem till en annan personuppgiftsansvarig.",
        ),
    },
    EU_GDPR + "A21": {
        "en": (
            "Right to object (GDPR Art. 21)",
            "You may object to the processing on grounds relating to your particular situation.",
        ),
        "fi": (
            "Vastustamisoikeus (tietosuoja-asetuksen 21 artikla)",
            "Voit vastustaa käsittelyä erityiseen tilanteeseesi liittyvällä perusteella.",
        ),
        "sv": (
            "Rätt att göra invändningar (artikel 21 i dataskyddsförordningen)",
            "Du kan göra invändningar mot behandlingen av skäl som hänför sig till din "
            "specifika situation.",
        ),
    },
    EU_GDPR + "A22": {
        "en": (
            "Rights related to automated decision-making (GDPR Art. 22)",
            "You have the right not to be subject to a decision based solely on automated "
            "processing that significantly affects you, with the exceptions the law allows.",
        ),
        "fi": (
            "Automaattisiin päätöksiin liittyvät oikeudet (tietosuoja-asetuksen 22 artikla)",
            "Sinulla on oikeus olla joutumatta sellaisen päätöksen kohteeksi, joka perustuu "
            "pelkästään automaattiseen käsittelyyn ja vaikuttaa sinuun merkittävästi, lain "
            "sallimin poikkeuksin.",
        ),
        "sv": (
            "Rättigheter vid automatiserat beslutsfattande (artikel 22 i dataskyddsförordningen)",
            "Du har rätt att inte bli föremål för ett beslut som enbart grundas på "
            "automatiserad behandling och som påverkar dig i betydande grad, med de undantag "
            "som lagen medger.",
        ),
    },
    EU_GDPR + "A77": {
        "en": (
            "Right to lodge a complaint with a supervisory authority (GDPR Art. 77)",
            "See the section on complaints below.",
        ),
        "fi": (
            "Oikeus tehdä valitus valvontaviranomaiselle (tietosuoja-asetuksen 77 artikla)",
            "Katso jäljempänä oleva kohta valituksista.",
        ),
        "sv": (
            "Rätt att lämna in klagomål till en tillsynsmyndighet (artikel 77 i "
            "dataskyddsförordningen)",
            "Se avsnittet om klagomål nedan.",
        ),
    },
}

#: The rights a data subject usually asks about (GDPR Art. 15-18, 20, 21). The notice says
#: which of them the legal basis does *not* give, so nobody expects portability under 6(1)(c).
ASKED_RIGHTS: Final = ("A15", "A16", "A17", "A18", "A20", "A21")

#: Short names of the rights, for the first layer of the notice.
RIGHTS_SHORT: Final[dict[str, dict[str, str]]] = {
    "A7-3": {
        "en": "withdraw consent",
        "fi": "suostumuksen peruuttaminen",
        "sv": "återkalla samtycke",
    },
    "A13": {"en": "information", "fi": "tiedonsaanti", "sv": "information"},
    "A14": {
        "en": "information on data from other sources",
        "fi": "tiedonsaanti muualta saaduista tiedoista",
        "sv": "information om uppgifter från annat håll",
    },
    "A15": {"en": "access", "fi": "pääsy tietoihin", "sv": "tillgång"},
    "A16": {"en": "rectification", "fi": "oikaisu", "sv": "rättelse"},
    "A17": {"en": "erasure", "fi": "poistaminen", "sv": "radering"},
    "A18": {"en": "restriction", "fi": "käsittelyn rajoittaminen", "sv": "begränsning"},
    "A20": {"en": "portability", "fi": "siirto järjestelmästä toiseen", "sv": "dataportabilitet"},
    "A21": {"en": "objection", "fi": "vastustaminen", "sv": "invändning"},
    "A22": {
        "en": "no decisions based solely on automated processing",
        "fi": "ei pelkästään automaattiseen käsittelyyn perustuvia päätöksiä",
        "sv": "inga beslut som enbart grundas på automatiserad behandling",
    },
    "A77": {"en": "complaint", "fi": "valitus", "sv": "klagomål"},
}
