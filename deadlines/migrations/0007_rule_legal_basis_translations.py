"""The default rules' legal bases in Albanian and Serbian (Latin script; the Cyrillic is made from
it when shown), for the officials who read them beside each clock.

A translation is written only where the rule's English text is still the one its migration
wrote and the translation is still empty: a basis an administrator has since reworded keeps
empty translations, so the pages fall back to the English text rather than show a translation of
words that are no longer there. Running it again changes nothing; going back empties what it
wrote."""

from django.db import migrations, models

# The English texts exactly as the migrations that created the rules wrote them (a migration
# never imports live code or another migration).
LAW_ACCESS = "Law No. 06/L-081 on Access to Public Documents"
LAW_ACCESS_SQ = "Ligji nr. 06/L-081 për qasje në dokumente publike"
LAW_ACCESS_SR = "Zakon br. 06/L-081 o pristupu javnim dokumentima"

REGULATION = "Regulation (GRK) No. 05/2016 on Minimum Standards for Public Consultation"
REGULATION_SQ = "Rregullorja (QRK) nr. 05/2016 për standardet minimale për konsultim publik"
REGULATION_SR = "Uredba (VRK) br. 05/2016 o minimalnim standardima za javne konsultacije"

COMPLAINT_BASIS = (
    (
        "Not set by law: the municipality's own service standard for answering citizens' "
        "complaints and requests (one-stop shop), counted from registration in the "
        "municipality's book (Law 04/L-184 on office work; Law 03/L-040 on local "
        "self-government, the municipality's duty to respond to citizens). Configurable per "
        "topic."
    ),
    (
        "Nuk caktohet me ligj: standardi i vetë komunës për përgjigjen ndaj ankesave dhe "
        "kërkesave të qytetarëve (Zyra me një ndalesë), i numëruar nga regjistrimi në librin e "
        "protokollit të komunës (Ligji nr. 04/L-184 për punën e zyrës; Ligji nr. 03/L-040 për "
        "vetëqeverisjen lokale, detyrimi i komunës për t'u përgjigjur qytetarëve). Mund të "
        "ndryshohet për secilën temë."
    ),
    (
        "Nije utvrđeno zakonom: sopstveni standard usluge opštine za odgovaranje na pritužbe i "
        "zahteve građana (šalter jedinstvenih usluga), računa se od zavođenja u delovodnu knjigu "
        "opštine (Zakon br. 04/L-184 o kancelarijskom poslovanju; Zakon br. 03/L-040 o lokalnoj "
        "samoupravi, obaveza opštine da odgovara građanima). Može se menjati za svaku temu."
    ),
)
COMPLAINT_TOPICS = (
    "water_irrigation",
    "roads",
    "waste",
    "public_lighting",
    "permits",
    "education",
    "health",
    "other",
)

# code: (English as written, Albanian, Serbian in Latin script)
LEGAL_BASES: dict[str, tuple[str, str, str]] = {
    # deadlines 0002
    "assembly-decision-to-mapl": (
        "Law No. 03/L-040 on Local Self-Government (administrative review of municipal "
        "acts): the municipal assembly sends every decision and act it adopts to the "
        "ministry responsible for local government (MAPL) within 7 days of the date of "
        "adoption. Counted in calendar days (configurable).",
        "Ligji nr. 03/L-040 për vetëqeverisjen lokale (shqyrtimi administrativ i akteve "
        "komunale): kuvendi komunal çdo vendim dhe akt që miraton ia dërgon ministrisë "
        "përgjegjëse për pushtetin lokal (MAPL) brenda 7 ditëve nga data e miratimit. "
        "Numërohet në ditë kalendarike (mund të ndryshohet).",
        "Zakon br. 03/L-040 o lokalnoj samoupravi (administrativni nadzor nad opštinskim "
        "aktima): skupština opštine dostavlja svaku odluku i akt koji usvoji ministarstvu "
        "nadležnom za lokalnu samoupravu (MALS) u roku od 7 dana od dana usvajanja. Računa "
        "se u kalendarskim danima (može se promeniti).",
    ),
    "meeting-material-submission": (
        "Rules of procedure of the Government: material for a government meeting reaches "
        "the Government Secretariat ahead of the meeting. Lead time configurable; default "
        "7 calendar days before the meeting date.",
        "Rregullorja e punës së Qeverisë: materiali për mbledhjen e Qeverisë arrin në "
        "Sekretariatin e Qeverisë para mbledhjes. Afati paraprak mund të ndryshohet; si "
        "parazgjedhje, 7 ditë kalendarike para datës së mbledhjes.",
        "Poslovnik o radu Vlade: materijal za sednicu Vlade stiže u Sekretarijat Vlade pre "
        "sednice. Rok unapred može se promeniti; podrazumevano 7 kalendarskih dana pre "
        "datuma sednice.",
    ),
    "communication-plan-review": (
        "Government communication: the Office for Public Communication (ZKP) reviews the "
        "communication plan of each government-meeting material. Service standard: 2 "
        "working days from receipt (configurable).",
        "Komunikimi i Qeverisë: Zyra për Komunikim Publik (ZKP) shqyrton planin e "
        "komunikimit të çdo materiali për mbledhjen e Qeverisë. Standardi i shërbimit: 2 "
        "ditë pune nga pranimi (mund të ndryshohet).",
        "Komunikacija Vlade: Kancelarija za javnu komunikaciju (KJK) pregleda plan "
        "komunikacije svakog materijala za sednicu Vlade. Standard usluge: 2 radna dana od "
        "prijema (može se promeniti).",
    ),
    "press-statement-approval": (
        "Protocol for press statements (information and communication strategy): the "
        "mayor or minister approves or returns a drafted statement within 1 working day "
        "(configurable).",
        "Protokolli për njoftimet për shtyp (strategjia e informimit dhe komunikimit): "
        "kryetari i komunës ose ministri e miraton ose e kthen njoftimin e hartuar brenda 1 "
        "dite pune (mund të ndryshohet).",
        "Protokol za saopštenja za medije (strategija informisanja i komunikacije): "
        "predsednik opštine ili ministar odobrava ili vraća sačinjeno saopštenje u roku od "
        "1 radnog dana (može se promeniti).",
    ),
    "monthly-report-to-mapl": (
        "Law No. 03/L-040 on Local Self-Government: at the end of each month the mayor "
        "reports to MAPL the number of decisions taken under the mayor's authority; due by "
        "the last day of the month.",
        "Ligji nr. 03/L-040 për vetëqeverisjen lokale: në fund të çdo muaji kryetari i "
        "komunës raporton në MAPL numrin e vendimeve të marra në kuadër të kompetencave të "
        "kryetarit; afati është dita e fundit e muajit.",
        "Zakon br. 03/L-040 o lokalnoj samoupravi: na kraju svakog meseca predsednik "
        "opštine izveštava MALS o broju odluka donetih u okviru nadležnosti predsednika "
        "opštine; rok je poslednji dan u mesecu.",
    ),
    # deadlines 0004
    "assembly-decision-legality-review": (
        "Law No. 03/L-040 on Local Self-Government, administrative review of municipal "
        "acts: the ministry responsible for local government reviews the legality of the "
        "acts it receives. Counted from receipt: 30 calendar days (configurable; not "
        "confirmed against the text of the law).",
        "Ligji nr. 03/L-040 për vetëqeverisjen lokale, shqyrtimi administrativ i akteve "
        "komunale: ministria përgjegjëse për pushtetin lokal shqyrton ligjshmërinë e akteve "
        "që pranon. Numërohet nga pranimi: 30 ditë kalendarike (mund të ndryshohet; e "
        "paverifikuar me tekstin e ligjit).",
        "Zakon br. 03/L-040 o lokalnoj samoupravi, administrativni nadzor nad opštinskim "
        "aktima: ministarstvo nadležno za lokalnu samoupravu ocenjuje zakonitost akata koje "
        "primi. Računa se od prijema: 30 kalendarskih dana (može se promeniti; nije "
        "provereno prema tekstu zakona).",
    ),
    "assembly-decision-reconsideration": (
        "Law No. 03/L-040 on Local Self-Government, administrative review of municipal "
        "acts: a municipality asked by the ministry to reconsider an act answers by "
        "adopting it again (amended) or keeping it. Counted from the ministry's request: "
        "15 calendar days (configurable; not confirmed against the text of the law).",
        "Ligji nr. 03/L-040 për vetëqeverisjen lokale, shqyrtimi administrativ i akteve "
        "komunale: komuna së cilës ministria i kërkon ta rishqyrtojë një akt përgjigjet duke "
        "e miratuar përsëri (të ndryshuar) ose duke e mbajtur. Numërohet nga kërkesa e "
        "ministrisë: 15 ditë kalendarike (mund të ndryshohet; e paverifikuar me tekstin e "
        "ligjit).",
        "Zakon br. 03/L-040 o lokalnoj samoupravi, administrativni nadzor nad opštinskim "
        "aktima: opština od koje ministarstvo zatraži da ponovo razmotri akt odgovara tako "
        "što ga ponovo usvoji (izmenjen) ili ga zadrži. Računa se od zahteva ministarstva: "
        "15 kalendarskih dana (može se promeniti; nije provereno prema tekstu zakona).",
    ),
    "assembly-decision-retransmission": (
        "Law No. 03/L-040 on Local Self-Government (administrative review of municipal "
        "acts): every decision and act the municipal assembly adopts reaches MAPL within "
        "7 days of the date of adoption — a decision adopted again after a "
        "reconsideration, within 7 days of its new adoption date. Counted in calendar days "
        "(configurable).",
        "Ligji nr. 03/L-040 për vetëqeverisjen lokale (shqyrtimi administrativ i akteve "
        "komunale): çdo vendim dhe akt që miraton kuvendi komunal arrin në MAPL brenda 7 "
        "ditëve nga data e miratimit — një vendim i miratuar përsëri pas rishqyrtimit, "
        "brenda 7 ditëve nga data e re e miratimit. Numërohet në ditë kalendarike (mund të "
        "ndryshohet).",
        "Zakon br. 03/L-040 o lokalnoj samoupravi (administrativni nadzor nad opštinskim "
        "aktima): svaka odluka i akt koji usvoji skupština opštine stiže u MALS u roku od 7 "
        "dana od dana usvajanja — odluka ponovo usvojena posle ponovnog razmatranja, u roku "
        "od 7 dana od novog datuma usvajanja. Računa se u kalendarskim danima (može se "
        "promeniti).",
    ),
    # deadlines 0005
    "press-statement-original": (
        "Information and communication strategy (protocol for press statements): every "
        "released statement is archived, including its scanned, registered and stamped "
        "original; Law No. 04/L-184 on office work: stamped originals are archived beside "
        "the electronic text. Service standard: 2 working days from the release "
        "(configurable; not set by law).",
        "Strategjia e informimit dhe komunikimit (protokolli për njoftimet për shtyp): çdo "
        "njoftim i publikuar arkivohet, bashkë me origjinalin e tij të skanuar, të "
        "regjistruar dhe të vulosur; Ligji nr. 04/L-184 për punën e zyrës: origjinalet e "
        "vulosura arkivohen pranë tekstit elektronik. Standardi i shërbimit: 2 ditë pune nga "
        "publikimi (mund të ndryshohet; nuk caktohet me ligj).",
        "Strategija informisanja i komunikacije (protokol za saopštenja za medije): svako "
        "objavljeno saopštenje se arhivira, zajedno sa skeniranim, zavedenim i overenim "
        "originalom; Zakon br. 04/L-184 o kancelarijskom poslovanju: overeni originali se "
        "arhiviraju uz elektronski tekst. Standard usluge: 2 radna dana od objavljivanja "
        "(može se promeniti; nije utvrđeno zakonom).",
    ),
    # access_requests 0002
    "access-request-decision": (
        f"{LAW_ACCESS}: the institution decides on a request for access to a public document "
        "within 7 days of its registration; no decision by then counts as a refusal. "
        "Counted in calendar days (configurable).",
        f"{LAW_ACCESS_SQ}: institucioni vendos për kërkesën për qasje në një dokument publik "
        "brenda 7 ditëve nga regjistrimi i saj; mosvendosja deri atëherë konsiderohet "
        "refuzim. Numërohet në ditë kalendarike (mund të ndryshohet).",
        f"{LAW_ACCESS_SR}: institucija odlučuje o zahtevu za pristup javnom dokumentu u roku "
        "od 7 dana od njegovog zavođenja; ako do tada odluka ne bude doneta, smatra se da je "
        "zahtev odbijen. Računa se u kalendarskim danima (može se promeniti).",
    ),
    "access-request-urgent-decision": (
        f"{LAW_ACCESS}: a request needed to protect someone's life or liberty is decided within "
        "48 hours. Clocks count whole days, so the deadline is the end of the day after "
        "registration: never later than 48 hours (configurable).",
        f"{LAW_ACCESS_SQ}: për kërkesën që nevojitet për mbrojtjen e jetës ose të lirisë së "
        "dikujt vendoset brenda 48 orëve. Afatet numërohen në ditë të plota, prandaj afati "
        "është fundi i ditës pas regjistrimit: kurrë më vonë se 48 orë (mund të ndryshohet).",
        f"{LAW_ACCESS_SR}: o zahtevu koji je potreban radi zaštite nečijeg života ili slobode "
        "odlučuje se u roku od 48 sati. Rokovi se računaju u celim danima, pa je rok kraj "
        "dana posle zavođenja: nikad kasnije od 48 sati (može se promeniti).",
    ),
    "access-request-extended-decision": (
        f"{LAW_ACCESS}: in exceptional cases the time for the decision may be extended once, by "
        "at most 15 days, with reasons given to the requester; the new deadline is the end "
        "of the day the extension names.",
        f"{LAW_ACCESS_SQ}: në raste të jashtëzakonshme afati për vendim mund të zgjatet një "
        "herë, për më së shumti 15 ditë, duke i dhënë kërkuesit arsyet; afati i ri është "
        "fundi i ditës që përcakton zgjatja.",
        f"{LAW_ACCESS_SR}: u izuzetnim slučajevima rok za odluku može se produžiti jednom, za "
        "najviše 15 dana, uz obrazloženje dato podnosiocu zahteva; novi rok je kraj dana "
        "koji je naveden u produženju.",
    ),
    "access-request-complaint-review": (
        f"{LAW_ACCESS}: the Information and Privacy Agency decides a complaint about a refused or "
        "unanswered request. Service standard: 30 calendar days (configurable).",
        f"{LAW_ACCESS_SQ}: Agjencia për Informim dhe Privatësi vendos për ankesën kundër një "
        "kërkese të refuzuar ose të papërgjigjur. Standardi i shërbimit: 30 ditë kalendarike "
        "(mund të ndryshohet).",
        f"{LAW_ACCESS_SR}: Agencija za informisanje i privatnost odlučuje o žalbi na odbijen "
        "zahtev ili zahtev na koji nije odgovoreno. Standard usluge: 30 kalendarskih dana "
        "(može se promeniti).",
    ),
    "access-request-release": (
        f"{LAW_ACCESS}: when the Information and Privacy Agency upholds a complaint, the "
        "institution gives access to the documents. Default 7 calendar days from the "
        "Agency's decision (configurable).",
        f"{LAW_ACCESS_SQ}: kur Agjencia për Informim dhe Privatësi e aprovon ankesën, "
        "institucioni jep qasje në dokumentet. Si parazgjedhje, 7 ditë kalendarike nga "
        "vendimi i Agjencisë (mund të ndryshohet).",
        f"{LAW_ACCESS_SR}: kada Agencija za informisanje i privatnost usvoji žalbu, institucija "
        "daje pristup dokumentima. Podrazumevano 7 kalendarskih dana od odluke Agencije "
        "(može se promeniti).",
    ),
    "access-request-complaint-window": (
        f"{LAW_ACCESS}: the requester may complain to the Information and Privacy Agency within "
        "15 days of a refusal, a partial grant or the day the request counts as refused. "
        "Read by the access-request flow; never started as a clock.",
        f"{LAW_ACCESS_SQ}: kërkuesi mund të ankohet në Agjencinë për Informim dhe Privatësi "
        "brenda 15 ditëve nga refuzimi, nga miratimi i pjesshëm ose nga dita kur kërkesa "
        "konsiderohet e refuzuar. E lexon procesi i kërkesës për qasje; nuk niset kurrë si "
        "afat.",
        f"{LAW_ACCESS_SR}: podnosilac zahteva može da podnese žalbu Agenciji za informisanje i "
        "privatnost u roku od 15 dana od odbijanja, delimičnog odobrenja ili dana kada se "
        "smatra da je zahtev odbijen. Koristi ga postupak zahteva za pristup; nikada se ne "
        "pokreće kao rok.",
    ),
    # coordination 0002
    "coordination-request-answer": (
        "Not set by law: the due date is the one the coordinating office (the Office of the "
        "Prime Minister's communications office, community affairs or good governance office, "
        "or the institution's head) sets in its request. Reminders, grace period and escalation "
        "to the institution's head are configurable.",
        "Nuk caktohet me ligj: afati është ai që zyra koordinuese (zyra e Zyrës së "
        "Kryeministrit për komunikim, për çështje të komuniteteve ose për qeverisje të mirë, "
        "ose titullari i institucionit) e cakton në kërkesën e saj. Kujtesat, orët e "
        "tolerancës dhe përshkallëzimi te titullari i institucionit mund të ndryshohen.",
        "Nije utvrđeno zakonom: rok je onaj koji koordinirajuća kancelarija (kancelarija "
        "Kancelarije premijera za komunikaciju, za pitanja zajednica ili za dobro upravljanje, "
        "ili rukovodilac institucije) odredi u svom zahtevu. Podsetnici, period tolerancije i "
        "eskalacija ka rukovodiocu institucije mogu se menjati.",
    ),
    # consultations 0002
    "public-consultation-answers": (
        f"{REGULATION}: after the consultation closes, the proposing body considers every "
        "comment received and states whether it is accepted, partly accepted or rejected, "
        "with its reasons, in the report on the consultation. The regulation sets no number "
        "of days for this step: 15 working days from the closing is configurable data.",
        f"{REGULATION_SQ}: pas mbylljes së konsultimit, organi propozues shqyrton çdo koment "
        "të pranuar dhe në raportin për konsultimin tregon nëse është pranuar, pranuar "
        "pjesërisht apo refuzuar, bashkë me arsyet. Rregullorja nuk cakton numër ditësh për "
        "këtë hap: 15 ditë pune nga mbyllja janë të dhëna që mund të ndryshohen.",
        f"{REGULATION_SR}: posle zatvaranja konsultacije, predlagač razmatra svaki primljeni "
        "komentar i u izveštaju o konsultaciji navodi da li je prihvaćen, delimično "
        "prihvaćen ili odbijen, uz obrazloženje. Uredba ne utvrđuje broj dana za ovaj korak: "
        "15 radnih dana od zatvaranja su podaci koji se mogu menjati.",
    ),
    "public-consultation-report": (
        f"{REGULATION}: the report on the consultation's results is published with the "
        "answers to the comments. The regulation sets no number of days for the head's "
        "approval: 5 working days from the answers is configurable data.",
        f"{REGULATION_SQ}: raporti për rezultatet e konsultimit publikohet bashkë me "
        "përgjigjet ndaj komenteve. Rregullorja nuk cakton numër ditësh për miratimin nga "
        "titullari: 5 ditë pune nga përgjigjet janë të dhëna që mund të ndryshohen.",
        f"{REGULATION_SR}: izveštaj o rezultatima konsultacije objavljuje se zajedno sa "
        "odgovorima na komentare. Uredba ne utvrđuje broj dana za odobrenje rukovodioca: 5 "
        "radnih dana od odgovora su podaci koji se mogu menjati.",
    ),
    # complaints 0002: one answer clock per default topic, all on the same basis
    **{
        f"complaint-answer-{topic.replace('_', '-')}": COMPLAINT_BASIS for topic in COMPLAINT_TOPICS
    },
}


def translate(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for code, (english, albanian, serbian) in LEGAL_BASES.items():
        unchanged = DeadlineRule.objects.filter(code=code, legal_basis=english)
        unchanged.filter(legal_basis_sq="").update(legal_basis_sq=albanian)
        unchanged.filter(legal_basis_sr="").update(legal_basis_sr=serbian)


def untranslate(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    DeadlineRule.objects.filter(code__in=list(LEGAL_BASES)).update(
        legal_basis_sq="", legal_basis_sr=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0006_task_due"),
        # Every app whose migrations create default rules.
        ("access_requests", "0002_deadline_rules"),
        ("complaints", "0002_roles_topics_and_answer_clocks"),
        ("consultations", "0002_rules"),
        ("coordination", "0002_response_deadline_rule"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadlinerule",
            name="legal_basis_sq",
            field=models.TextField(blank=True, verbose_name="legal basis (Albanian)"),
        ),
        migrations.AddField(
            model_name="deadlinerule",
            name="legal_basis_sr",
            field=models.TextField(blank=True, verbose_name="legal basis (Serbian, Latin script)"),
        ),
        migrations.RunPython(translate, untranslate),
    ]
