"""Word lists that attribution reads: speech verbs, roles, titles, organisation and place words.

Plain data, grouped by what the attribution rules ask of a word ("is this a cue verb?", "can this title
stand before a name?"). The lists are general English news vocabulary, not taken from any article; a
word belongs here when the rule it feeds is right for it in most news writing.
"""

from __future__ import annotations


def words(s: str) -> frozenset[str]:
    return frozenset(s.split())


def verb_forms(stems: str) -> frozenset[str]:
    """Inflected forms of regular speech verbs given as 'stem:forms' or plain stems."""
    out: set[str] = set()
    for item in stems.split():
        if ":" in item:
            out.update(item.split(":")[1].split(","))
            continue
        out.add(item)
        out.add(item + "s" if not item.endswith(("s", "sh", "ch")) else item + "es")
        if item.endswith("e"):
            out.update((item + "d", item[:-1] + "ing"))
        else:
            out.update((item + "ed", item + "ing"))
    return frozenset(out)


# Verbs that introduce or attribute speech (all inflections). "found"/"concluded" cover reports.
CUE_VERBS = verb_forms(
    "add state remark warn explain argue ask continue insist note stress emphasise emphasize acknowledge "
    "conclude claim declare announce comment respond concede suggest predict urge describe report estimate "
    "recall observe agree vow promise boast joke counter maintain allege assert affirm confirm reveal tweet "
    "complain caution reiterate call demand pledge threaten condemn criticise criticize welcome accuse blame "
    "praise hail lament contend advise propose recommend dismiss brand label characterise characterize "
    "question wonder appeal inform assure reassure elaborate indicate hint signal mention exclaim shout "
    "whisper recount retort interject exhort scoff chide muse gush marvel plead rant yell scream chant fume react "
    "testify:testify,testifies,testified,testifying quote write:write,writes,wrote,written,writing "
    "say:say,says,said,saying tell:tell,tells,told,telling reply:reply,replies,replied,replying "
    "admit:admit,admits,admitted,admitting quip:quip,quips,quipped,quipping deny:deny,denies,denied,denying "
    "find:find,finds,found clarify:clarify,clarifies,clarified point:point,points,pointed "
    "forecast:forecast,forecasts posted:posted put:put read:read,reads went:went retaliate:retaliated"
)
# A participle cue continues the speaker of its main clause ("Zelenskyy said, adding that ...").
PARTICIPLE_CUES = frozenset(w for w in CUE_VERBS if w.endswith("ing"))
# Cues too weak to attribute a quote by themselves at a distance (they need to stand next to it).
WEAK_CUES = words("put posted point points pointed call calls called calling find finds found")
# Cues that attribute only right after a quote ("…," he continued), never before one.
TRAILING_ONLY = words("continue continues continued continuing posted went read reads")
# Cue forms that are also nouns ("a Facebook comment", "his remarks"): not a cue when carrying over.
NOUN_CUES = words(
    "comment comments report reports call calls claim claims demand demands pledge pledges promise promises "
    "estimate estimates question questions appeal appeals forecast forecasts quote quotes post posts tweet "
    "tweets note notes remark remarks reply replies welcome counter brand label signal signals hint hints vow "
    "vows joke jokes boast boasts praise blame caution point points find finds state states respond"
)
# Verbs after which "by X" names the author ("a report authored by CFHK researchers").
AUTHOR_VERBS = words("authored co-authored written published compiled prepared produced signed issued released")

PRONOUNS = words("he she they it we i you")
POSSESSIVE_PRONOUNS = words("his her their its our my your")
# People described by a common noun: "the teenager said" is the person in focus, like "he".
PERSON_NOUNS = words(
    "man woman boy girl teenager teen child mother father wife husband son daughter sister brother friend "
    "native veteran survivor victim fan resident neighbour neighbor colleague boss mom dad grandmother "
    "grandfather widow widower couple singer actress actor star"
)
FEMALE_NOUNS = words("woman girl mother wife daughter sister mom grandmother widow actress")
# Words that may stand between a speaker and the cue ("Trump has also said", "Putin later told").
AUX = words(
    "has have had was were is are will would also later then previously reportedly once again recently "
    "repeatedly publicly already earlier further separately privately first last himself herself itself "
    "themselves immediately simply flatly been not never always still too just alone initially subsequently "
    "yesterday today tonight both all subsequently quickly angrily bluntly candidly openly quietly frankly "
    "has long had since can could may might should shall did does do"
)
TIME_WORDS = words(
    "monday tuesday wednesday thursday friday saturday sunday morning evening afternoon night week weekend month year"
)
DETERMINERS = words("the a an his her its their our both two three several some many other another one all these those")
# Occupations written as titles before a name ("Detective Meghan Aguilar", "Comedian Chris Rock").
OCCUPATIONS = (
    "detective officer comedian actor actress singer rapper producer writer author host anchor coach pastor "
    "apostle rabbi imam cardinal sheriff inspector constable agent nurse doctor prosecutor star designer chef "
    "artist musician player striker quarterback manager owner candidate nominee councilman councilwoman "
    "councillor alderman assemblyman assemblywoman delegate trooper brigadier commodore dean provost principal "
    "superintendent spokesperson correspondent reporter columnist editor publisher filmmaker novelist poet "
    "historian scientist researcher economist analyst lawyer attorney judge magistrate coroner"
)
# Singular roles: "the spokesman" resolves to the last person introduced with that role.
ROLES = words(
    "spokesman spokeswoman spokesperson minister president premier chancellor senator governor mayor secretary "
    "analyst economist official envoy ambassador diplomat chairman chairwoman chair executive ceo director head "
    "lawyer attorney commander general adviser advisor professor researcher expert leader founder manager "
    "strategist trader representative negotiator aide observer journalist correspondent editor author judge "
    "prosecutor chief officer source insider lawmaker legislator congressman congresswoman mp deputy candidate "
    "owner partner worker resident witness activist campaigner critic commentator scientist engineer doctor "
    "investor banker consultant broker specialist historian politician king queen prince pope spokesman "
    "secretary-general director-general president-elect colonel captain soldier economist " + OCCUPATIONS
)
# Plural groups: anonymous speakers ("analysts said") or the people of an organisation ("the researchers").
GROUPS = frozenset(
    {r + "s" for r in ROLES}
    | words(
        "people police staff media authorities officials analysts experts observers researchers economists "
        "diplomats lawyers critics sources investigators scientists traders residents witnesses campaigners "
        "activists lawmakers legislators executives leaders protesters doctors prosecutors regulators bankers "
        "investors insiders employees workers supporters opponents advocates respondents officers soldiers troops "
        "organisers organizers commentators strategists specialists forecasters negotiators ministers members "
        "academics authors reporters agencies companies firms banks governments ministries men women"
    )
)
# Organisations referred to by a common noun ("the company said", "the ministry added").
# Organisations described by what they are ("the carmaker said", "the agency added"): "the X" is the
# last organisation that spoke or acted. Other organisation nouns ("the union") must match a name.
COMPANY_NOUNS = words(
    "company firm group bank operator producer lender insurer carrier airline retailer giant monopoly business "
    "carmaker automaker chipmaker drugmaker steelmaker miner manufacturer supplier exporter importer refiner "
    "brewer conglomerate utility telecom broadcaster publisher newspaper network developer partnership venture "
    "startup organisation organization agency body institution"
)
ORG_NOUNS = COMPANY_NOUNS | words(
    "ministry government charity institute committee council commission office department party court union "
    "association foundation army military embassy administration regulator exchange fund board authority "
    "service watchdog think-tank club team country state kremlin website"
)
# Documents speak for whoever issued them ("the report said").
DOC_NOUNS = words("report study analysis statement survey paper letter document filing review assessment release")
# Capitalised words that end or start an organisation's name.
ORG_HEADS = words(
    "Group Organisation Organization Ministry Agency Institute Foundation Corporation Corp Company Co Inc Ltd Plc "
    "PLC LLC AG SA GmbH Fund Council Commission Office Department House Committee Association Union Court Party "
    "Securities Holdings Bank Consortium Initiative Conference Forum Trust Society Centre Center University College "
    "Service Services Staff Army Forces Force Navy Police Embassy Authority Board Bureau Reserve Exchange Network "
    "News Times Post Journal Telegraph Guardian Aid Partners Capital Industries Airlines Motors Technologies "
    "Systems Energy Petroleum Steel Mining Media Press Radio Television Tribune Herald Review Monitor Watch "
    "Alliance Coalition Federation Movement Front Congress Parliament Senate Duma Assembly Cabinet Government "
    "Administration Command Directorate Intelligence Guard Observatory Laboratory Labs Studies Dialog Semiconductor "
    "Kremlin Pentagon Treasury Vatican Bundestag Knesset Politburo Interpol Europol Eurostat Reuters Bloomberg "
    "Interfax Tass TASS Xinhua Amnesty Nations Navy Ministry Police"
)
# Leading capitalised words that are titles, not names ("US President Donald Trump" → "Donald Trump").
TITLES = words(
    "president vice prime minister secretary senator sen rep representative congressman congresswoman governor gov "
    "mayor chancellor king queen prince princess pope ambassador envoy general gen lieutenant lt colonel col major "
    "maj captain capt admiral adm commander chief executive officer director chairman chairwoman chair ceo cfo coo "
    "spokesman spokeswoman spokesperson analyst economist professor prof judge justice attorney foreign defence "
    "defense finance energy interior economy economic trade deputy acting former ex head leader speaker special "
    "senior managing founder commissioner supreme premier sheikh emir sultan crown patriarch archbishop bishop "
    "reverend rev father state affairs home health agriculture industry environment culture education transport "
    "labour labor treasury homeland security national adviser advisor counsel press communications sergeant sgt "
    "corporal marshal field grand duke duchess baron president-elect secretary-general director-general "
    "under-secretary first lady mp mep mr mrs ms miss dr sir dame lord rt hon honourable honorable opposition "
    "dissident oligarch tycoon billionaire businessman businesswoman activist mogul investor strategist "
    "daughter son wife husband mother father brother sister widow widower " + OCCUPATIONS
)
HONORIFICS = words("mr mrs ms miss dr prof sir dame lord lady rev mx")
FEMALE_HONORIFICS = words("mrs ms miss dame lady")
# Capitalised words that begin a sentence or a clause but never a name.
CAP_STOP = (
    words(
        "the a an but and or however meanwhile yet so then also now still in on at for with after before as if when "
        "while although though since because asked speaking according it he she they we i you this that these those "
        "his her their its our my your there here last next earlier later today yesterday instead moreover "
        "furthermore additionally indeed even only both all some many most other such despite during under over "
        "against among between without within through amid following unlike like once where what who why how "
        "whether to from by of not no nor just by mr mrs ms dr nonetheless nevertheless otherwise therefore thus "
        "hence accordingly consequently besides likewise similarly regardless notably separately finally "
        "ultimately eventually initially previously recently currently overall specifically already again first "
        "second third next asked told speaking writing appearing talking responding addressing sources until unless "
        "whenever wherever whatever whoever upon toward towards around across beyond throughout let let's let’s"
    )
    - HONORIFICS
)
MONTHS_DAYS = words(
    "january february march april may june july august september october november december monday tuesday "
    "wednesday thursday friday saturday sunday jan feb mar apr jun jul aug sep sept oct nov dec"
)
# Adjectives of nationality before a title ("Russian President Vladimir Putin").
DEMONYMS = words(
    "us u.s. uk u.k. eu un american british english scottish welsh irish russian ukrainian chinese japanese "
    "korean indian pakistani iranian iraqi israeli palestinian saudi syrian turkish german french italian "
    "spanish portuguese dutch belgian swiss austrian polish czech slovak hungarian romanian bulgarian greek "
    "serbian croatian swedish norwegian danish finnish estonian latvian lithuanian belarusian georgian "
    "armenian azerbaijani kazakh uzbek afghan egyptian libyan nigerian kenyan ethiopian south african "
    "canadian mexican brazilian argentine argentinian chilean colombian venezuelan cuban australian "
    "taiwanese vietnamese thai indonesian malaysian filipino singaporean european western eastern "
    "northern southern arab african asian latin gulf emirati qatari kuwaiti yemeni lebanese jordanian "
    "moldovan kyrgyz tajik mongolian nepalese bangladeshi sri lankan burmese cambodian"
)
# Places are never speakers' names (a small gazetteer: countries, capitals and regions in the news).
PLACES = words(
    "Afghanistan Albania Algeria Angola Argentina Armenia Australia Austria Azerbaijan Bahrain Bangladesh Belarus "
    "Belgium Bolivia Bosnia Brazil Britain Bulgaria Cambodia Cameroon Canada Chile China Colombia Congo Croatia "
    "Cuba Cyprus Czechia Denmark Ecuador Egypt England Eritrea Estonia Ethiopia Europe Finland France Georgia "
    "Germany Ghana Greece Guatemala Haiti Honduras Hungary Iceland India Indonesia Iran Iraq Ireland Israel Italy "
    "Japan Jordan Kazakhstan Kenya Kosovo Kuwait Kyrgyzstan Laos Latvia Lebanon Libya Lithuania Luxembourg "
    "Madagascar Malaysia Mali Malta Mexico Moldova Mongolia Montenegro Morocco Mozambique Myanmar Namibia Nepal "
    "Netherlands Nicaragua Niger Nigeria Norway Oman Pakistan Palestine Panama Paraguay Peru Philippines Poland "
    "Portugal Qatar Romania Russia Rwanda Scotland Senegal Serbia Singapore Slovakia Slovenia Somalia Spain "
    "Sudan Sweden Switzerland Syria Taiwan Tajikistan Tanzania Thailand Tunisia Turkey Türkiye Turkmenistan "
    "Uganda Ukraine Uruguay Uzbekistan Venezuela Vietnam Wales Yemen Zambia Zimbabwe Africa Asia America "
    "Americas Arctic Antarctica Balkans Baltic Caucasus Crimea Donbas Donbass Donetsk Luhansk Lugansk Kherson "
    "Zaporizhzhia Zaporozhye Kharkiv Odesa Odessa Dnipro Kyiv Kiev Moscow Washington Beijing London Paris Berlin "
    "Brussels Tokyo Geneva Rome Madrid Vienna Warsaw Minsk Tehran Ankara Istanbul Jerusalem Gaza Riyadh Dubai "
    "Delhi Mumbai Shanghai Shenzhen Seoul Pyongyang Taipei Canberra Ottawa Sydney Munich Davos Siberia Tver "
    "Sakhalin Caspian Pacific Atlantic Mediterranean Geneva Helsinki Stockholm Oslo Copenhagen Prague Budapest "
    "Bucharest Sofia Athens Belgrade Zagreb Tbilisi Yerevan Baku Astana Tashkent Kabul Islamabad Karachi Dhaka "
    "Bangkok Hanoi Jakarta Manila Singapore Cairo Lagos Nairobi Johannesburg Brasilia Lima Bogota Caracas "
    "Havana Mexico Texas California Florida York Hong Kong Sri Lanka Saudi Arabia Korea Emirates Kingdom States "
    "US U.S. USA UK U.K. UAE DPRK PRC"
)
# Words that make a place only together with others ("United States", "South Korea", "Hong Kong").
PLACE_PARTS = words(
    "United Arab New North South East West Zealand Kingdom States Emirates El Los Las San Santa Vegas Angeles "
    "Francisco Diego Republic Coast Gulf"
)
PLACE_HEADS = words(
    "Island Islands Sea River Lake Mountains Province Region Oblast Street Square City County Bay Gulf Valley Coast Strait Peninsula"
)

# Small words of titles and names ("Bypassing the Blockade", "Institute for the Study of War").
SMALL_WORDS = words("a an the of for and in on to at by with from or nor de la le von van der du y")
# Lower-case particles inside personal names ("Abdulaziz bin Salman", "Ursula von der Leyen").
NAME_PARTICLES = words("bin ibn al de da di van von der du la le")
# Words that stand between other words of a sentence and never start a clause's verb.
FUNCTION_WORDS = words(
    "of in on at to for and or but with from by as the a an that which who whom whose than into onto about "
    "over under after before between during near across against among per via if when while because although "
    "though since unless until whether where so yet nor"
)
# Sentence-final abbreviations that do not end a sentence.
ABBREVIATIONS = words(
    "Mr Mrs Ms Dr Gov Sen Rep Gen Lt Col Sgt Capt Prof Rev Hon Adm St Mt Ft No Jr Sr Inc Co Corp Ltd vs "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
)
# Words that never name a speaker on their own ("Others called it …", "Democratic pollster X" cut short).
NOT_SPEAKERS = words(
    "others other some many most few all both democratic republican democrat conservative "
    "liberal progressive independent hours minutes days weeks months years continuing meanwhile however "
    "still later earlier today yesterday"
)
# Verbs whose object is the accused, never the speaker ("accusing Moscow of using him “as a pawn”").
ACCUSATION_VERBS = words(
    "accused accusing accuse accuses blamed blaming blame blames charged charging condemned condemning"
)
# Roles held for a place: "the MP for Newcastle Central" is a person, not the organisation "Newcastle Central".
CONSTITUENCY_ROLES = words(
    "mp mep msp senator congressman congresswoman representative member assemblyman assemblywoman councillor "
    "councilman councilwoman delegate governor mayor"
)
# Heads of state and government: "the Kremlin leader" unnamed stays a role, never the last "president" named.
LEADER_ROLES = words("leader president premier chancellor king queen")
