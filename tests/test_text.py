import pytest

from geoverify import text as T


@pytest.mark.parametrize(
    "a,b",
    [
        ("خمینی", "Khomeini"),
        ("خمینی", "Khomeni"),
        ("خمینی", "Khumaini"),
        ("کرگل", "Kargil"),
        ("کارگل", "Kargil"),
        ("کوئٹہ", "Quetta"),
        ("ہزارہ", "Hazara"),
        ("مظفرآباد", "Muzaffarabad"),
        ("سری نگر", "Srinagar"),
        ("اثنا عشریہ", "Isna Asharia"),
        ("اثنا عشریہ", "Isna Ashriya"),
        ("پاراچنار", "Parachinar"),
        ("سکردو", "Skardu"),
        ("جموں", "Jammu"),
    ],
)
def test_skeletons_meet_across_scripts(a, b):
    assert T.skeleton(a) == T.skeleton(b)


def test_skeleton_separates_different_names():
    assert T.skeleton("Kargil") != T.skeleton("Gilgit")
    assert T.skeleton("Lal") != T.skeleton("Leh")


def test_normalize_folds_arabic_forms_and_strips_marks():
    # Arabic yeh/kaf/heh -> Urdu; tatweel, harakat, RLM removed; presentation forms via NFKC
    assert T.normalize("كرگل") == "کرگل"
    assert T.normalize("عشريه") == "عشریہ"
    assert T.normalize("خمـيني\u200f") == "خمینی"
    assert T.normalize("مُحَمَّد") == "محمد"
    assert T.normalize("\ufedf\ufe8e\ufedd") == "لال"


def test_detect_script():
    assert T.detect_script("لال چوک") == "Arab"
    assert T.detect_script("LAL CHOWK") == "Latn"
    assert T.detect_script("करगिल") == "Deva"
    assert T.detect_script("۲۰۲۱ 2021") == "Zyyy"


def test_split_generic_both_scripts():
    assert T.split_generic("Khomeini Chowk") == ("Khomeini", ("chowk",))
    assert T.split_generic("خمینی چوک") == ("خمینی", ("chowk",))
    assert T.split_generic("Imam Bargah Zadibal") == ("Zadibal", ("imambargah",))
    assert T.split_generic("Alamdar Road") == ("Alamdar", ("road",))
    assert T.split_generic("Bazaar") == ("Bazaar", ("bazaar",))


def test_romanize_is_readable():
    assert T.romanize("لال چوک") == "lal chok"
    assert T.romanize("Śrīnagar") == "srinagar"


def test_word_spans_cover_multiword_names():
    spans = [s for _, _, s in T.word_spans("Hazara Town, Quetta", max_words=2)]
    assert "Hazara Town" in spans and "Quetta" in spans


@pytest.mark.parametrize(
    "urdu,roman",
    [
        ("ٹاؤن", "taon"),  # ٹ retroflex t, و after alif and before final nun: a vowel
        ("ڈیرہ", "dira"),  # ڈ retroflex d, final ہ is the vowel a
        ("پہاڑ", "pahar"),  # ڑ flapped r; the short a before medial ہ is supplied
        ("گاؤں", "gaon"),  # ں nasal n
        ("بھٹو", "bhto"),  # ھ aspiration
        ("کے", "ke"),  # ے final e
        ("وزیر", "vzir"),  # initial و consonant, ی between consonants a vowel
        ("سوات", "swat"),  # و before alif a consonant
        ("یار", "yar"),  # initial ی consonant
        ("ریاسی", "riyasi"),  # ی before alif a glide, final ی the vowel i
        ("اوجین", "ujin"),  # initial alif + و: the vowel u
    ],
)
def test_romanize_urdu_letters(urdu, roman):
    assert T.romanize(urdu) == roman


def test_romanize_variants_cover_ambiguous_letters():
    assert T.romanize_variants("خمینی")[0] == T.romanize("خمینی")
    assert "khmeni" in T.romanize_variants("خمینی")  # ی as e
    assert "purnia" in T.romanize_variants("پورنیہ")  # و as u, ی as i
    assert "gaun" in T.romanize_variants("گاؤں")
    assert T.romanize_variants("کھرڑ", schwa=True)[1] == "kharar"
    assert T.romanize_variants("Kargil") == ["kargil"]


def test_regional_and_arabic_language_spellings():
    # Pashto letters fold to their Urdu counterparts
    assert T.skeleton("پاړاچنار") == T.skeleton("پاڑاچنار") == T.skeleton("Parachinar")
    assert T.skeleton("ګلګت") == T.skeleton("Gilgit")
    assert T.fold_arabic("ټول ډېر") == "ٹول ڈیر"
    # Arabic-language spellings meet through the coarse skeleton (ب for p, ف for v, تش for ch)
    assert T.coarse_skeleton("بانتشكولا") == T.coarse_skeleton("Panchkula")
    assert T.coarse_skeleton("فادودارا") == T.coarse_skeleton("Vadodara")
    assert T.coarse_skeleton("بورنيا") == T.coarse_skeleton("Purnia")
    # initial w is the consonant و; n before b is m
    assert T.skeleton("Wazirabad") == T.skeleton("وزیر آباد")
    assert T.skeleton("Sambhal") == T.skeleton("سنبھل")
    # ں unwritten in Latin (Jammu) or written (Budaun): both skeletons are tried
    assert T.skeleton_variants("بدایوں") == ["bd", "bdn"]
    assert T.skeleton("Budaun") in T.skeleton_variants("بدایوں")


def test_generic_words_in_both_scripts():
    cases = {
        "Jamia Masjid Srinagar": ("Srinagar", ("mosque",)),
        "مسجد اقصیٰ": ("اقصی", ("mosque",)),
        "Main Bazaar": ("Main", ("bazaar",)),
        "علمدار روڈ": ("علمدار", ("road",)),
        "Hazara Town": ("Hazara", ("town",)),
        "ہزارہ ٹاؤن": ("ہزارہ", ("town",)),
        "ماڈل کالونی": ("ماڈل", ("colony",)),
        "امیرا کدل پل": ("امیرا", ("bridge",)),
        "Bazar-e Yakawlang": ("Yakawlang", ("bazaar",)),  # izafat goes with the generic word
        "Dargah Hazratbal": ("Hazratbal", ("shrine",)),
    }
    for name, expected in cases.items():
        assert T.split_generic(name) == expected, name


def test_candidate_spans_skip_function_words():
    spans = [
        s for _, _, s in T.candidate_spans("We condemn the killing of Hazara Shias in Quetta", 3)
    ]
    assert "Quetta" in spans and "Hazara Shias" in spans
    assert not any(s.split()[0].lower() in T.STOP_WORDS for s in spans)
    assert not any(s.split()[-1].lower() in T.STOP_WORDS for s in spans)
    urdu = [s for _, _, s in T.candidate_spans("کوئٹہ کے ہزارہ", 3)]
    assert "کوئٹہ" in urdu and "ہزارہ" in urdu and "کوئٹہ کے" not in urdu
