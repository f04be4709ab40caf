/**
 * Words that help find names nobody listed. First names and surnames common among the children,
 * parents and staff of UK schools (from many backgrounds), written out for Steward; words that
 * look like names but in a school's documents usually are not (days, months, subjects, roles,
 * organisations); and first names that are also ordinary words, which count only beside a surname.
 */
const FIRST_NAMES = `
aaliyah aaron abdul abdullah abigail abu ada adam adaeze adebayo adele adrian ahmad ahmed aidan aiden aisha alan albert alex alexander alexandra alfie ali alice alicia alisha alison alistair amanda amara amber amelia amina amir amy ana andrea andrew andy angela anna anne annie anthony antonio archie arjun arlo arthur asha ashley aston aurora ava ayaan ayesha azra
barbara barry beatrice bella ben benjamin beth bethany bilal billy blessing bobby bogdan bradley brandon brenda brian bronwen brooke bruno
caitlin callum cameron carl carla carlos carol caroline carys casey catherine charlie charlotte chelsea cheryl chidi chloe chris christina christine christopher ciara cieran claire clara colin connor conor craig
daisy dale damian daniel daniela danny darius darren david dawid deborah declan demi dennis derek destiny dev diana dominic dominika donna douglas dylan
ebony eden edward eilidh elaine eleanor elena eli elijah elizabeth ella ellie elliot elliott eloise elsie emeka emil emily emma emmanuel eric erin esther ethan eva evan evelyn evie ewan
fahad faisal farah fatima fatuma felix fiona florence francesca frankie freddie frederick freya funmi
gabriel gabriela gareth gary gavin gemma george georgia gerald gillian gintare graham gregory gurpreet
hafsa hamza hannah harley harper harriet harrison harry harvey hassan hayden hayley heather helen henry hollie holly hugo hussain
ian ibrahim idris ifeoma imogen imran isaac isabel isabella isabelle isaiah isla ismail ivan ivy
jack jackson jacob jade jake james jamie jan jane janet jasmine jason jay jayden jeffrey jennifer jenny jeremy jessica jill jo joan joanna joanne joe joel john jonathan jordan joseph joshua julia julian julie justin
kai kamil karen karina kasia kate katie katherine kayden keith kelly kenneth kerry kevin khadija kieran kim kirsty kofi kristina kuba kyle
lacey laila lana laura lauren layla leah lee leigh leo leon leonardo lewis liam lily lisa logan lola louie louis louise lucas lucy luke lydia
maddison madison maisie malik manpreet marcus margaret maria mariam marie marek mark martha martin mary maryam mason matilda matthew maya megan mehmet melissa mia michael michelle mila miles millie mohamed mohammad mohammed molly muhammad musa
nadia naomi nasir natalie natasha nathan neil niamh nicholas nicola nicole nikhil nina noah noor nora
obinna ola oleksandr olga oliver olivia omar oscar owen
paige pamela patricia patrick paul paula pawel peter philip phoebe piotr poppy priya priyanka
rachel rafael rahul rajesh raphael rashid rebecca reece rhys richard riley rita robert robin rohan ronan rosie ross ruby rukhsana rupert ruth ryan
sadia safiya saima sally salma sam samantha samir samira samuel sana sandra sara sarah scarlett scott sean sebastian serena shabana shane shannon sharon shauna sheila shirley siobhan simon simran sinead sofia sophia sophie stacey stanley stella stephanie stephen steven stuart summer susan suzanne sylvia
tahir tanya tariq teresa terry theo theodore thomas tiago tiffany tilly timothy tobias toby tom tommy tony tracey tracy tyler
usman
valentina vanessa victoria vikram vincent violet
wayne wendy wiktoria william willow wojciech
xavier
yasmin yusuf yvonne
zac zach zachary zahra zain zainab zara zoe zofia zuzanna
`;

const SURNAMES = `
abbott adams ahmed akhtar ali allen anderson appiah armstrong atkinson austin bailey baker ball banks barker barnes bates begum bell bennett berry bibi bird black bradley brooks brown bryant butler
campbell carter chapman charlton clark clarke cole collins cook cooper cox crawford cunningham
davies davis dawson dixon doherty douglas duncan edwards ellis evans
fisher fleming fletcher foster fox francis fraser
gibson gill gordon graham grant gray green griffiths
hall hamilton harris harrison hart harvey hassan hill holmes hughes hunt hussain hussein
iqbal jackson james jenkins johnson johnston jones kaur kelly kennedy khan king knight kowalski kumar
lawrence lee lewis lloyd marshall martin mason matthews mcdonald miah miller mills mitchell moore morgan morris murphy murray
nowak obi okafor okonkwo oliver osei owen palmer parker patel pearce pearson perry phillips powell price
rahman reid reynolds richards richardson roberts robertson robinson rogers rose ross russell
scott shah sharma shaw simpson singh smith spencer stevens stewart stone sutton taylor thomas thompson thomson turner
walker wallace walsh ward watson webb wells west white wilkinson williams wilson wood woods wright yates young
`;

/** Names that are also ordinary words ("May", "Will", "Grace"): counted only beside another name or after a title. */
const ORDINARY_WORD_NAMES = new Set(
  "amber april august autumn bill bob carol dawn destiny eden faith frank grace hazel holly honor hope iris ivy jack jade jay joy june lily mark may melody miles olive pat penny rich robin rose ruby rusty sage sky summer sunny victor violet will willow winter".split(" "),
);

/**
 * Capitalised words that are not people in a school's documents: days, months, roles, subjects,
 * bodies and document words. A run of them ("Hillside Primary School") is never a name.
 */
const NOT_NAMES = new Set(
  `
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december
mr mrs ms miss mx dr prof sir madam dear hi hello regards best wishes kind thanks thank yours sincerely faithfully many warm
school academy primary secondary infant junior nursery college university trust council authority local county borough city district
year term reception key stage form class group set tutor house
head headteacher deputy assistant teacher teaching ta hlta senco sen send dsl ddsl dpo governor governors chair clerk office manager business bursar officer lead leader coordinator pastoral safeguarding welfare attendance behaviour inclusion
english maths mathematics science history geography french spanish german art music drama pe computing re rs pshe rse technology dt biology chemistry physics
ofsted dfe ico nhs camhs mash police social care services children family families early help cin cp lac ehcp ehc iep pep sats gcse gcses a-level btec
gp hospital clinic surgery health nurse doctor paediatrician
meeting minutes agenda review report plan record note notes action actions chronology summary incident concern referral update outcome next steps
subject access request sar foi data protection privacy notice policy
parent parents carer carers mum dad mother father pupil pupils student students child children staff member team
the a an and or of to in on at for from by with re fw fwd subject sent date cc bcc attachments attachment
i we you he she they it this that these those our your their his her
uk england wales scotland ireland northern britain british london
jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
morning afternoon evening night today tomorrow yesterday st saint mondays tuesdays wednesdays thursdays fridays saturdays sundays weekends
called named known colleague colleagues everyone all team hub pathway service
contact call phone mobile tel telephone email address postcode gender name names surname forename legal preferred relationship reg registration time body entry location panel education educational psychologist psychology individual healthcare medical condition
key views outcomes outcome attendees apologies present sanction account accounts bank sort details refund trip budget item items agenda chair
confidential private urgent important please note notes dob upn uln nhs ni yes no n/a tbc
designated mentor learning support director executive principal vice acting interim senior business finance data protection special educational needs speech language therapist therapy worker practitioner consultant admissions
`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * Places and organisations a school's documents name that are nobody's personal data: towns and
 * cities, the services schools use, and the bodies they deal with.
 */
const PLACES_AND_ORGANISATIONS = `
avon somerset dorset wiltshire hampshire berkshire oxfordshire buckinghamshire hertfordshire bedfordshire cambridgeshire norfolk suffolk lincolnshire nottinghamshire derbyshire leicestershire northamptonshire warwickshire staffordshire shropshire herefordshire worcestershire gloucestershire cheshire merseyside cumbria northumberland durham tyne wear teesside humberside calderdale kirklees lambeth lewisham greenwich southwark hackney islington camden westminster tower hamlets newham haringey enfield barnet brent ealing hounslow croydon bromley bexley sutton merton kingston richmond wandsworth hammersmith fulham kensington chelsea harrow hillingdon havering redbridge barking dagenham waltham forest seacroft chapeltown harehills headingley matlock chesterfield eccles broughton salford stretford sale altrincham pitsmoor ripon hull grimsby scunthorpe
aberdeen barnsley batley bath belfast castleford cheshire dewsbury ilkley knaresborough pontefract ripon scarborough selby skipton whitby wilmslow birmingham blackburn blackpool bolton bournemouth bradford brighton bristol burnley cambridge canterbury cardiff carlisle chelmsford chester coventry derby doncaster dundee durham edinburgh exeter glasgow gloucester halifax harrogate hereford huddersfield hull inverness ipswich keighley kendal lancaster leeds leicester lincoln liverpool london luton manchester middlesbrough milton newcastle newport northampton norwich nottingham oldham otley oxford peterborough plymouth portsmouth preston pudsey reading rochdale rotherham salford sheffield shrewsbury southampton stockport stoke sunderland swansea swindon telford wakefield warrington wigan winchester wolverhampton worcester york yorkshire lancashire kent surrey essex devon cornwall cumbria
microsoft google apple amazon facebook meta instagram tiktok snapchat whatsapp youtube twitter zoom windows android iphone ipad chromebook outlook gmail excel word powerpoint onedrive sharepoint
lego minecraft fortnite roblox playstation xbox nintendo ford vauxhall toyota nissan kia kuga corsa fiesta polo golf
sims arbor bromcom scholarpack cpoms myconcern edukey classdojo dojo seesaw tapestry parentmail parentpay schoolcomms teams
ofsted hmrc dfe ico nspcc barnardos childline camhs hmcts cafcass dwp
`;

/** Words that end a run of capitals and make it an organisation's or a street's name, never a person's ("Vincent Carey Road", "DP Advice Service Ltd"). */
export const organisationEndings: ReadonlySet<string> = new Set(
  "road rd street st avenue ave lane close drive way crescent gardens place court grove terrace walk rise mews row square parade ltd limited plc llp services service foundation centre center trust council group partnership academy school college university hospital surgery practice team department office board committee agency authority commission institute society association club church federation unit clinic nursery".split(" "),
);

/** Capitalised words after a run that make it part of an organisation's name ("St Mary's High School"). */
export const organisationWords: ReadonlySet<string> = new Set([...organisationEndings, ..."high community primary secondary junior infant infants grammar catholic c ce cofe medical".split(" ")]);

export const placesAndOrganisations: ReadonlySet<string> = new Set(PLACES_AND_ORGANISATIONS.split(/\s+/).filter(Boolean));

export const firstNames: ReadonlySet<string> = new Set(FIRST_NAMES.split(/\s+/).filter(Boolean));
export const surnames: ReadonlySet<string> = new Set(SURNAMES.split(/\s+/).filter(Boolean));
export const ordinaryWordNames: ReadonlySet<string> = ORDINARY_WORD_NAMES;
export const notNames: ReadonlySet<string> = NOT_NAMES;
