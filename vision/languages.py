"""Language names for the prompt: "Burmese (my)" says more to a model than "my".

One table of English names, keyed by BCP 47 primary language subtag: the 40
or so most-spoken languages, and every language Qwen3's release lists as
supported (119 languages and dialects, Qwen2.5's 29 among them). Scripts and
regions get names too, so `pt-BR` reads "Portuguese (Brazil) (pt-BR)". A
tag the table does not know still works: the prompt then names it by tag.
"""

from __future__ import annotations

LANGUAGES = {
    # The most-spoken languages (first and second language speakers).
    "en": "English",
    "zh": "Chinese",
    "hi": "Hindi",
    "es": "Spanish",
    "fr": "French",
    "ar": "Arabic",
    "bn": "Bengali",
    "pt": "Portuguese",
    "ru": "Russian",
    "ur": "Urdu",
    "id": "Indonesian",
    "de": "German",
    "ja": "Japanese",
    "pcm": "Nigerian Pidgin",
    "mr": "Marathi",
    "te": "Telugu",
    "tr": "Turkish",
    "ta": "Tamil",
    "yue": "Cantonese",
    "vi": "Vietnamese",
    "wuu": "Wu Chinese",
    "tl": "Tagalog",
    "fil": "Filipino",
    "ko": "Korean",
    "fa": "Persian",
    "ha": "Hausa",
    "sw": "Swahili",
    "jv": "Javanese",
    "it": "Italian",
    "pa": "Punjabi",
    "pnb": "Western Punjabi",
    "gu": "Gujarati",
    "th": "Thai",
    "kn": "Kannada",
    "am": "Amharic",
    "bho": "Bhojpuri",
    "nan": "Min Nan Chinese",
    "hak": "Hakka Chinese",
    "yo": "Yoruba",
    "my": "Burmese",
    "pl": "Polish",
    "or": "Odia",
    "ml": "Malayalam",
    "uz": "Uzbek",
    "sd": "Sindhi",
    "ig": "Igbo",
    "uk": "Ukrainian",
    "ro": "Romanian",
    "nl": "Dutch",
    "zu": "Zulu",
    "xh": "Xhosa",
    "az": "Azerbaijani",
    "ps": "Pashto",
    "ku": "Kurdish",
    "so": "Somali",
    "om": "Oromo",
    "ne": "Nepali",
    "si": "Sinhala",
    "km": "Khmer",
    "mg": "Malagasy",
    "rw": "Kinyarwanda",
    "ms": "Malay",
    "he": "Hebrew",
    "el": "Greek",
    "cs": "Czech",
    "hu": "Hungarian",
    "sv": "Swedish",
    # The rest of Qwen3's list, by family. Indo-European:
    "da": "Danish",
    "bg": "Bulgarian",
    "sk": "Slovak",
    "hr": "Croatian",
    "lt": "Lithuanian",
    "no": "Norwegian",
    "nb": "Norwegian Bokmål",
    "nn": "Norwegian Nynorsk",
    "sl": "Slovenian",
    "lv": "Latvian",
    "oc": "Occitan",
    "be": "Belarusian",
    "sr": "Serbian",
    "lb": "Luxembourgish",
    "vec": "Venetian",
    "as": "Assamese",
    "cy": "Welsh",
    "szl": "Silesian",
    "ast": "Asturian",
    "hne": "Chhattisgarhi",
    "awa": "Awadhi",
    "mai": "Maithili",
    "ga": "Irish",
    "fo": "Faroese",
    "tg": "Tajik",
    "yi": "Yiddish",
    "ydd": "Eastern Yiddish",
    "lmo": "Lombard",
    "lij": "Ligurian",
    "scn": "Sicilian",
    "fur": "Friulian",
    "sc": "Sardinian",
    "gl": "Galician",
    "ca": "Catalan",
    "is": "Icelandic",
    "sq": "Albanian",
    "als": "Tosk Albanian",
    "li": "Limburgish",
    "prs": "Dari",
    "af": "Afrikaans",
    "mk": "Macedonian",
    "mag": "Magahi",
    "bs": "Bosnian",
    "hy": "Armenian",
    # Afro-Asiatic: Arabic and its dialects, Maltese.
    "arb": "Modern Standard Arabic",
    "ars": "Najdi Arabic",
    "apc": "Levantine Arabic",
    "arz": "Egyptian Arabic",
    "ary": "Moroccan Arabic",
    "acm": "Mesopotamian Arabic",
    "acq": "Ta'izzi-Adeni Arabic",
    "aeb": "Tunisian Arabic",
    "mt": "Maltese",
    # Austronesian.
    "ceb": "Cebuano",
    "su": "Sundanese",
    "min": "Minangkabau",
    "ban": "Balinese",
    "bjn": "Banjar",
    "pag": "Pangasinan",
    "ilo": "Iloko",
    "war": "Waray",
    # Turkic.
    "azj": "North Azerbaijani",
    "uzn": "Northern Uzbek",
    "kk": "Kazakh",
    "ba": "Bashkir",
    "tt": "Tatar",
    # Tai-Kadai, Uralic, Austroasiatic.
    "lo": "Lao",
    "fi": "Finnish",
    "et": "Estonian",
    # Others.
    "ka": "Georgian",
    "eu": "Basque",
    "ht": "Haitian Creole",
    "pap": "Papiamento",
    "kea": "Kabuverdianu",
    "tpi": "Tok Pisin",
}

SCRIPTS = {
    "Arab": "Arabic script",
    "Beng": "Bengali script",
    "Cyrl": "Cyrillic",
    "Deva": "Devanagari",
    "Hans": "Simplified",
    "Hant": "Traditional",
    "Latn": "Latin script",
    "Mymr": "Myanmar script",
}

REGIONS = {
    "AE": "United Arab Emirates",
    "AF": "Afghanistan",
    "AR": "Argentina",
    "AT": "Austria",
    "AU": "Australia",
    "BD": "Bangladesh",
    "BE": "Belgium",
    "BR": "Brazil",
    "CA": "Canada",
    "CH": "Switzerland",
    "CL": "Chile",
    "CN": "China",
    "CO": "Colombia",
    "DE": "Germany",
    "EG": "Egypt",
    "ES": "Spain",
    "FR": "France",
    "GB": "United Kingdom",
    "HK": "Hong Kong",
    "ID": "Indonesia",
    "IE": "Ireland",
    "IN": "India",
    "IR": "Iran",
    "IT": "Italy",
    "JP": "Japan",
    "KE": "Kenya",
    "KR": "South Korea",
    "MA": "Morocco",
    "MM": "Myanmar",
    "MO": "Macao",
    "MX": "Mexico",
    "MY": "Malaysia",
    "NG": "Nigeria",
    "NZ": "New Zealand",
    "PE": "Peru",
    "PH": "Philippines",
    "PK": "Pakistan",
    "PT": "Portugal",
    "SA": "Saudi Arabia",
    "SG": "Singapore",
    "TN": "Tunisia",
    "TR": "Turkey",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "US": "United States",
    "VE": "Venezuela",
    "VN": "Vietnam",
    "ZA": "South Africa",
    "419": "Latin America",
}


def language_name(tag: str) -> str | None:
    """The English name of the language `tag` names, with its script and
    region where the tag has them ("Chinese (Traditional, Taiwan)"), or None
    when the table does not know its primary language."""
    primary, *subtags = tag.split("-")
    name = LANGUAGES.get(primary.lower())
    if name is None:
        return None
    details = [_subtag_name(subtag) for subtag in subtags]
    if None in details:
        return name
    return f"{name} ({', '.join(details)})" if details else name


def _subtag_name(subtag: str) -> str | None:
    if len(subtag) == 4 and subtag.isalpha():
        return SCRIPTS.get(subtag.title())
    return REGIONS.get(subtag.upper())


def language_describe(tag: str) -> str:
    """How a prompt names `tag`: "Burmese (my)", "Portuguese (Brazil) (pt-BR)",
    or the tag alone when its language is not in the table."""
    name = language_name(tag)
    return f"{name} ({tag})" if name else tag
