"""Facts and word lists for scripts/make_sample.py (standard library only, no logic).

Real facts: Radiohead's studio albums with their track lists and release
dates; SJD's album titles and the songs of his that reviews name; the album
titles of the other New Zealand acts. Everything else (the word lists and the
hand-written names) is invented for the sample.
"""

from __future__ import annotations

from datetime import date

# (album, first available, track list). Release dates: the UK release, or for
# In Rainbows the pay-what-you-want download (10 Oct 2007) and for The King of
# Limbs the early download (18 Feb 2011).
RADIOHEAD: tuple[tuple[str, date, str], ...] = (
    ("Pablo Honey", date(1993, 2, 22),
     "You|Creep|How Do You?|Stop Whispering|Thinking About You|Anyone Can Play Guitar|"
     "Ripcord|Vegetable|Prove Yourself|I Can't|Lurgee|Blow Out"),
    ("The Bends", date(1995, 3, 13),
     "Planet Telex|The Bends|High and Dry|Fake Plastic Trees|Bones|(Nice Dream)|Just|"
     "My Iron Lung|Bullet Proof..I Wish I Was|Black Star|Sulk|Street Spirit (Fade Out)"),
    ("OK Computer", date(1997, 6, 16),
     "Airbag|Paranoid Android|Subterranean Homesick Alien|Exit Music (For a Film)|Let Down|"
     "Karma Police|Fitter Happier|Electioneering|Climbing Up the Walls|No Surprises|Lucky|"
     "The Tourist"),
    ("Kid A", date(2000, 10, 2),
     "Everything in Its Right Place|Kid A|The National Anthem|How to Disappear Completely|"
     "Treefingers|Optimistic|In Limbo|Idioteque|Morning Bell|Motion Picture Soundtrack"),
    ("Amnesiac", date(2001, 6, 4),
     "Packt Like Sardines in a Crushd Tin Box|Pyramid Song|Pulk/Pull Revolving Doors|"
     "You and Whose Army?|I Might Be Wrong|Knives Out|Morning Bell/Amnesiac|Dollars and Cents|"
     "Hunting Bears|Like Spinning Plates|Life in a Glasshouse"),
    ("Hail to the Thief", date(2003, 6, 9),
     "2 + 2 = 5|Sit Down. Stand Up.|Sail to the Moon|Backdrifts|Go to Sleep|"
     "Where I End and You Begin|We Suck Young Blood|The Gloaming|There There|I Will|"
     "A Punchup at a Wedding|Myxomatosis|Scatterbrain|A Wolf at the Door"),
    ("In Rainbows", date(2007, 10, 10),
     "15 Step|Bodysnatchers|Nude|Weird Fishes/Arpeggi|All I Need|Faust Arp|Reckoner|"
     "House of Cards|Jigsaw Falling into Place|Videotape"),
    ("The King of Limbs", date(2011, 2, 18),
     "Bloom|Morning Mr Magpie|Little by Little|Feral|Lotus Flower|Codex|Give Up the Ghost|"
     "Separator"),
)  # fmt: skip

# SJD (Sean James Donnelly). Album titles and dates are real (RNZ, NZ Herald,
# Stuff and Under the Radar reviews; where only the year is known, 1 January
# of the next year is used so no play comes before the release). The songs
# listed are real songs named in those reviews; the rest of each track list is
# filled with invented titles, and the track order is not the real one.
SJD: tuple[tuple[str, date, int, str], ...] = (
    ("3", date(2000, 1, 1), 11, ""),
    ("Lost Soul Music", date(2002, 1, 1), 12, "Tree People"),
    ("Southern Lights", date(2005, 1, 1), 11, "Superman You're Crying"),
    ("Songs from a Dictaphone", date(2006, 7, 20), 12, "Bad Karma in Yokohama"),
    ("Dayglo Spectres", date(2008, 10, 13), 11,
     "No Telling Where|The President of Mars and the Emperor of Mercury"),
    ("Elastic Wasteland", date(2012, 11, 15), 11,
     "The Lizard Kings|Make Love Ask Questions Later|These Are the Names|Song of Baal|"
     "Hypnotised by Roads|Empty World|Lena|On the Driveway|Wolves"),
)  # fmt: skip

# Other New Zealand acts: (artist, plays, albums as "title@year" or
# "title@yyyy-mm-dd"). Album titles and years are real (dates from RNZ, Under
# the Radar and Wikipedia); a bare year means 1 January of the following year,
# so no play comes before the release. Track titles are invented except for the
# two track lists below.
NZ_ACTS: tuple[tuple[str, int, str], ...] = (
    ("The Phoenix Foundation", 2050,
     "Horsepower@2003|Pegasus@2005|Happy Ending@2007-10-12|Buffalo@2010-06-01"),
    ("Fat Freddy's Drop", 1380, "Based on a True Story@2005|Dr Boondigga and the Big BW@2009"),
    ("Bic Runga", 960, "Drive@1997|Beautiful Collision@2002|Birds@2005|Belle@2011"),
    ("The Mint Chicks", 870,
     "Octagon! Octagon! Octagon!@2004|Crazy? Yes! Dumb? No!@2006|Screens@2009-03-16"),
    ("Shihad", 720, "Killjoy@1995|The General Electric@1999|Pacifier@2002|"
     "Love Is the New Hate@2005|Beautiful Machine@2008|Ignite@2010"),
    ("Lawrence Arabia", 640, "Lawrence Arabia@2006|Chant Darling@2009|The Sparrow@2012-07-10"),
    ("Connan Mockasin", 410, "Please Turn Me into the Snat@2010"),
)  # fmt: skip

# Real track lists found in reviews and shop listings (Flying Out; Apple Music).
KNOWN_TRACKS: dict[str, str] = {
    "Buffalo": "Eventually|Buffalo|Flock of Hearts|Pot|Bitte Bitte|Skeleton|Orange & Mango|"
    "Bailey's Beach|Wonton|Golden Ship",
    "The Sparrow": "Travelling Shoes|Lick Your Wounds|The Listening Times|Bicycle Riding|The 03|"
    "Early Kneecappings|The Bisexual|Dessau Rag|Legends",
}

# Invented names that test the parsers: non-Latin scripts, "&", quotes,
# commas, apostrophes and accents. Each has a few titles in its own script.
SPECIAL_ARTISTS: tuple[tuple[str, str], ...] = (
    ("夜の図書館", "雨の日の手紙|猫と月|終電|青い灯台|さよなら夏|星屑の地図"),
    ("青い自転車", "坂道|午後の影|海辺の駅|紙の舟"),
    ("银河邮局", "月光信封|夜车|旧信|远方的灯"),
    ("종이비행기 실험실", "새벽 세시|여름밤|바다 쪽으로|우산"),
    ("Тихий Трамвай", "Зима на окраине|Ночной поезд|Письмо домой|Белый шум"),
    ("Бумажный Кит", "Маяк|Северный ветер|Окно во двор"),
    ("Zoë & the Fjords", ""),
    ("Señor Pelícano", ""),
    ("Les Éléphants Timides", ""),
    ("Salt, Pepper & Ghosts", ""),
    ("Tom, Dick & Harriet", ""),
    ('The "Real" Gardeners', ""),
    ("O'Hara's Lantern", ""),
    ("Café Naïve", ""),
    ("Müller & Søn", ""),
    ("Hélène Marchetti", ""),
    ('Jimmy "Two Kettles" Okafor', ""),
    ("Åsa Lindqvist Kvartett", ""),
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ADJECTIVES = _words(
    "Velvet Paper Hollow Electric Quiet Golden Midnight Copper Tin Glass Wooden Secret Lonely "
    "Northern Southern Distant Crooked Silver Little Rusty Amber Pale Wild Sleepy Lazy Brave "
    "Gentle Broken Invisible Magnetic Tidal Coastal Polar Neon Paisley Feral Static Analog "
    "Cardboard Woollen Marble Lunar Solar Hidden Early Second Tiny Giant Strange Salty Dusty "
    "Humble Restless Crimson Ochre Swollen Borrowed Flightless Upside Backwards Sunken Wobbly"
)
NOUNS = _words(
    "Kite Lantern Orchard Harbour Ferry Moth Sparrow Comet Tractor Lighthouse Pylon Glacier "
    "Kettle Fern Possum Weta Estuary Motel Cassette Telescope Balloon Bicycle Garden Quarry "
    "Canyon Piano Radio Tram Parade Circus Fox Heron Otter Walrus Penguin Cathedral Archive "
    "Satellite Engine Ghost Island Valley Signal Shadow Window Mirror Caravan Volcano Reef "
    "Paddock Wharf Tide Swamp Teaspoon Anchor Gumboot Jetty Hedge Minnow Pelican Tunnel "
    "Bonfire Chimney Meteor Compass Lagoon Shed Thistle Beetle Harpoon Accordion Submarine"
)
FIRST_NAMES = _words(
    "Hannah Tom Aroha Mere Liam Sione Greta Oscar Ivy Felix Ruby Hugo Ngaio Ingrid Malcolm "
    "Priya Yuki Nadia Pablo Elsa Kiri Jonah Tilly Moana Rosa Declan Anika Wren Otis Marta"
)
SURNAMES = _words(
    "Whitcombe Marlowe Tanaka Fairweather Ashdown Kowalski Pemberton Okafor Lindqvist "
    "Haversham Quill Brightwater Thorne Mackie Delacroix Rosewarne Ferreira Nakamura Duval "
    "Ostrowski Castellano Greenhalgh Featherstone Tupou Vance Harlow Penrose Gallagher Strand"
)
ENSEMBLES = ("Quartet", "Trio", "Collective", "Orchestra", "Band", "Sound System", "Ensemble")
TITLE_WORDS = _words(
    "again away before blue bright burn cold dance dream drive drown fall far fire float "
    "forever ghost gold grey heart home hum light little lost love morning night ocean "
    "only rain river road run salt sea shine sleep slow small snow song still summer sun "
    "sweet tonight under wait walk water weather winter wonder yellow young"
)
