//! Whole-letter tests with hand-written variants beyond the corpus generator's phrasing.

use super::*;
use crate::eval::page_from_text;

fn draft(text: &str) -> LetterDraft {
    let pages = vec![page_from_text("p1", text)];
    let mut d = draft_letters(&pages, &Models::embedded());
    assert_eq!(d.len(), 1, "{text}");
    d.remove(0)
}

/// A letter whose `unsure` words Tesseract read with low confidence (as misreadings are).
fn draft_unsure(unsure: &[&str], text: &str) -> LetterDraft {
    let mut page = page_from_text("p1", text);
    for w in &mut page.words {
        if unsure.iter().any(|u| w.text.contains(u)) {
            w.conf = 60.0;
        }
    }
    let mut d = draft_letters(&[page], &Models::embedded());
    d.remove(0)
}

const KY_LETTER: &str = "Өмүралиев айыл өкмөтүнүн башчысына
Манас айылынын тургуну Асанов Бакыт
Жумабекович
Дареги: Манас айылы, Ленин
көчөсү, 5-үй
Тел.: 0555 12 34 56
АРЫЗ
Айыл өкмөтүндөгү паспорт столунун кызматкери күбөлүк үчүн үч миң сом сурады. Акча бербесең кел деди.
Ушул кызматкердин ишин текшерип, мыйзамсыз акча талап кылууну токтотууну суранам.
2024-жылдын 2-октябры
Колу: Асанов Бакыт Жумабекович";

#[test]
fn kyrgyz_letter_all_fields() {
    let d = draft(KY_LETTER);
    assert_eq!(d.lang, Some(Lang::Ky));
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Асанов Бакыт Жумабекович")
    );
    assert!(!d.applicant.anonymous);
    assert_eq!(
        d.address.as_deref(),
        Some("Манас айылы, Ленин көчөсү, 5-үй")
    );
    assert_eq!(d.phone.as_deref(), Some("+996555123456"));
    assert_eq!(d.date.as_deref(), Some("2024-10-02"));
    assert!(d.corruption.flag, "{:?}", d.corruption);
    assert!(d
        .corruption
        .reasons
        .iter()
        .all(|r| r.page == "p1" && r.bbox.is_some()));
    assert!(d.summary.starts_with("Даттануу: "), "{}", d.summary);
    assert!(d.summary.contains("(Манас айылы)"), "{}", d.summary);
    assert!(d.summary.chars().count() <= MAX_SUMMARY);
    assert_eq!(d.category, "documents");
    assert!(d.spans.contains_key("applicant") && d.spans.contains_key("phone"));
    assert!(!d.needs_transcription);
}

#[test]
fn contract_keys_are_exact() {
    let d = draft(KY_LETTER);
    let v = serde_json::to_value(&d).expect("json");
    for k in [
        "pages",
        "lang",
        "applicant",
        "address",
        "phone",
        "date",
        "summary",
        "category",
        "corruption",
        "confidence",
        "needs_transcription",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert!(v["applicant"].get("name").is_some() && v["applicant"].get("anonymous").is_some());
    let r = &v["corruption"]["reasons"][0];
    assert!(r.get("phrase").is_some() && r.get("page").is_some() && r.get("bbox").is_some());
    assert!(v["corruption"]["score"].is_f64() && v["corruption"]["flag"].is_boolean());
}

fn check_name(text: &str, name: Option<&str>, anonymous: bool) {
    let d = draft(text);
    assert_eq!(
        (d.applicant.name.as_deref(), d.applicant.anonymous),
        (name, anonymous),
        "{text}"
    );
}

#[test]
fn an_association_named_before_the_signer_is_not_part_of_the_name() {
    check_name(
        "Главе айыл окмоту\n\nСообщаю, что канал очищен на 2 км вместо 6. Прошу провести замер.\n\nЧлен ревизионной комиссии АВП «Жаңы-Арык» Дуйшеев Т.М.\n+996 557 111 904\n30.06.2026",
        Some("Дуйшеев Т.М."),
        false,
    );
}

#[test]
fn a_dictated_letter_is_the_speakers_not_the_scribes() {
    check_name(
        "Бул катты небереме жазып жатат, мен айтып турам.\nМен Сейитбеков Кубанычбек, 78 жаштамын, Ак-Терек айылында жашайм. Мираб суу бербей жатат.\nУшул баланы ооздуктап коюңуздар.\nНебереси Айбек жазды. Тел 0709 14 88 70",
        Some("Сейитбеков Кубанычбек"),
        false,
    );
    // Someone named after "я" inside a sentence is not the writer.
    check_name(
        "Заявление\n\nЯ сама работала и видела всё. В ведомости, которую нам дали, я увидела Осмоналиев Данияр и его жену.\n\nКадырова Светлана Бекболотовна\n7.10.2026",
        Some("Кадырова Светлана Бекболотовна"),
        false,
    );
}

#[test]
fn a_village_written_after_the_name_without_a_comma_is_no_part_of_it() {
    check_name(
        "суу бизге жетпей жатат мираб келип ачып кетет текшерип бергиле\nАсанбаев Мелис Ак-Кыр айылы тел 0 550 77 81 20",
        Some("Асанбаев Мелис"),
        false,
    );
    check_name(
        "айыл окмотко арыз\nмен Эргешов Бакыт Ак-Сай-Булак айлында жашаим справка керек болду\nномерим 0777 31 22 09",
        Some("Эргешов Бакыт"),
        false,
    );
    check_name(
        "Айыл өкмөтүнө\n\nМен Темир айылында жашайм. Күзөтчү неберемди кууп чыкты.\n\nСатыбалдиева Калыйча апаңар\nТемир айылы, Ысык-Көл району",
        Some("Сатыбалдиева Калыйча"),
        false,
    );
    check_name(
        "айыл окмотунун башчысына арыз\nмен Кадыров Улан Шамшиевич Жаны-Арык айылынан конкурс болбой калды текшериңиздер\nтел 0507 33 90 12",
        Some("Кадыров Улан Шамшиевич"),
        false,
    );
}

#[test]
fn a_name_signed_with_a_word_of_its_own_on_the_last_line() {
    check_name(
        "Даттануу\n\nЖайытты башчы тосуп алды. Жайытты элге кайтарып берүүнү суранабыз.\nМал багып жүргөн Кулов Эсен жазды.\n",
        Some("Кулов Эсен"),
        false,
    );
    check_name(
        "Ыраазычылык кат\n\nСоциалдык кызматкерге ырахмат айтам, көмүр алып келип беришти.\n\nБеш-Күңгөй айылынан Асанова Бурма апаңар\n",
        Some("Асанова Бурма"),
        false,
    );
    check_name(
        "саламатсызбы)) мен Эсенбек кызы Мээрим, 16 жаштамын, Чаек айылынан. паспортумду жоготуп алдым.\n",
        Some("Эсенбек кызы Мээрим"),
        false,
    );
    check_name(
        "Ыраазычылык кат\n\nКөмүр алып келип беришти. Мен жаздыра албайм, небере кызым жазды.\n",
        None,
        true,
    );
}

#[test]
fn names_in_other_phrasings() {
    check_name(
        "Главе Омуралиевского айыл окмоту\nот жителя с. Кара-Суу Иванов Иван Петрович\nЗАЯВЛЕНИЕ\nПрошу отремонтировать дорогу.\n02.10.2024",
        Some("Иванов Иван Петрович"),
        false,
    );
    check_name(
        "Айыл өкмөтүнүн башчысына\nАРЫЗ\nМен, Асанова Айгүл, Кара-Суу айылында жашайм. Көчөбүздө жарык жок.\nЖарык орнотууну суранам.",
        Some("Асанова Айгүл"),
        false,
    );
    check_name(
        "Айыл өкмөтүнүн башчысына\nКайрылуу\nКөчөбүздө жарык жок. Жарык орнотууну суранабыз.\n05.03.2024\nКолу: Жумабек уулу Нурлан",
        Some("Жумабек уулу Нурлан"),
        false,
    );
    check_name(
        "Айыл өкмөтүнүн башчысына\nАнонимдүү\nДАТТАНУУ\nМираб акча талап кылат.\nКолу: Анонимдүү",
        None,
        true,
    );
    check_name(
        "Айыл өкмөтүнүн башчысына\nАРЫЗ\nКөчөбүздө суу жок. Сууну жеткирүүнү суранабыз.\nКөк-Жар айылынын тургундары",
        None,
        true,
    );
    check_name(
        "Главе айыл окмоту\nЖалоба\nВ селе нет воды. Просим помочь.\nЖители улицы Ленина",
        None,
        true,
    );
    check_name(
        "Главе айыл окмоту\nЖалоба\nВ селе нет воды. Просим помочь.",
        None,
        true,
    );
}

fn check_address(text: &str, expected: Option<&str>) {
    assert_eq!(draft(text).address.as_deref(), expected, "{text}");
}

#[test]
fn the_village_on_the_writers_own_line_is_the_address_even_when_it_is_the_councils() {
    let text = "Чоң-Жаргылчак айыл өкмөтүнүн башчысына\n\nАРЫЗ\n\nКөчөгө чырак коюлду, баасы кымбат.\n\nЧоң-Жаргылчак айылынын тургуну Бектурганов Азамат Асылбекович\nтел. +996 500 62 18 40\n";
    check_address(text, Some("Чоң-Жаргылчак айылы"));
    let text = "Айыл өкмөтүнө, Ак-Өтөк айылынан Абдыкалыков Мамасадык аксакалдан\n\nМен 81 жаштамын. ФАПка дары жеткирип бериңиздер.\n";
    check_address(text, Some("Ак-Өтөк айылы"));
    check_name(text, Some("Абдыкалыков Мамасадык"), false);
    let text = "Ыраазычылык кат\n\nКөмүр алып келип беришти.\n\nБеш-Күңгөй айылынан Асанова Бурма апаңар\n";
    check_address(text, Some("Беш-Күңгөй айылы"));
    let text = "Урматтуу башчы!\n\nКөчө жарыгынын акчасы туура сарпталды.\n\nАк-Жар айылындагы Токтогул көчөсүндө 15-үйдө жашаган\nОсмонова Бактыгүл\n";
    check_address(text, Some("Ак-Жар айылы, Токтогул көчөсү, 15-үй"));
}

#[test]
fn the_initial_s_is_no_village() {
    for sign in [
        "Гаврилюк С. И.",
        "С уважением, Гаврилюк С. И.",
        "С уважением,\nГаврилюк С. И.",
    ] {
        let text = format!("Главе айыл окмоту\nЖалоба\nСвет после ремонта стал хуже, чем был.\nПрошу проверить работы.\n{sign}\n");
        check_name(&text, Some("Гаврилюк С. И."), false);
        check_address(&text, None);
    }
    let text = "Главе айыл окмоту\nЖалоба\nСвет после ремонта стал хуже.\nИванов Петр, С. Петровка, ул. Мира 5\n";
    check_address(text, Some("С. Петровка, ул. Мира 5"));
}

#[test]
fn a_russian_writer_says_where_they_live_anywhere_and_by_street() {
    let text = "Главе айыл окмоту\nЗаявление\nПрошу включить мою семью в список на помощь углём. Муж уехал.\nЖиву в с. Жалгыз-Тал, ул. Октябрьская, 51.\n";
    check_address(text, Some("с. Жалгыз-Тал, ул. Октябрьская, 51"));
    let text = "Главе айыл окмоту\nМеня зовут Гаврилюк Сергей Иванович, проживаю в с. Туз-Бель по\nпер. Чкалова, 3. Осенью у нас меняли трансформатор и опоры на нижней улице.\nСвет после ремонта стал хуже, чем был.\nПрошу проверить работы.\nГаврилюк С. И.\n";
    check_address(text, Some("с. Туз-Бель по пер. Чкалова, 3"));
    let text = "Айыл өкмөтүнө\nАрызчы: Осмонкулов Эркин\n\nМен Жаңы-Талап айылындагы Ж. Баласагын\nкөчөсүндө 41-үйдө үй-бүлөм менен жашайм. Үйүбүз күйүп кетти.\n";
    check_address(text, Some("Жаңы-Талап айылы, Ж. Баласагын көчөсү, 41-үй"));
}

#[test]
fn addresses_as_written() {
    check_address(
        "Главе айыл окмоту\nот жителя с. Манас Иванов Иван\nАдрес: с. Манас, ул. Ленина, д. 5, кв. 3\nЗАЯВЛЕНИЕ\nПрошу помочь.",
        Some("с. Манас, ул. Ленина, д. 5, кв. 3"),
    );
    check_address(
        "Главе айыл окмоту\nот жителя с. Манас Иванов Иван\nАдрес: с. Кара-Суу, ул.\nТоктогула, д. 12\nТелефон: 0700 11 22 33\nЗАЯВЛЕНИЕ\nПрошу помочь.",
        Some("с. Кара-Суу, ул. Токтогула, д. 12"),
    );
    check_address(
        "Айыл өкмөтүнүн башчысына\nАРЫЗ\nМен, Асанова Айгүл, Кара-Суу айылында жашайм. Көчөбүздө жарык жок.",
        Some("Кара-Суу айылы"),
    );
    check_address(
        "Айыл өкмөтүнүн башчысына\nАсанов Бакыт\nКара-Суу айылы, Жеңиш көчөсү, 14-үй\nАРЫЗ\nЖарык жок.",
        Some("Кара-Суу айылы, Жеңиш көчөсү, 14-үй"),
    );
}

#[test]
fn the_councils_place_under_the_addressee_is_not_the_writers_address() {
    let letter = |sender: &str, footer: &str| {
        format!(
            "Главе айыл окмоту\nс. Кара-Булун Тюпского района\n{sender}\nОБРАЩЕНИЕ\n\
             Летом в бригаде работало двенадцать человек, а в табеле записано двадцать.\n\
             Прошу проверить табели.\n\nПодпись: Осмонов Бакыт Жолчуевич\n{footer}"
        )
    };
    // The writer's own address under the signature, not the council's village.
    check_address(
        &letter("", "с. Кара-Булун, ул. Токтогула, 66"),
        Some("с. Кара-Булун, ул. Токтогула, 66"),
    );
    // None given: none registered.
    check_address(&letter("", "15 ноябрь 2026"), None);
    // A sender's line under the addressee is the writer's.
    check_address(
        "Айыл өкмөтүнүн башчысына\nКимден: Сейталиев Мирлан, Ак-Таш-Сай айылы\n\nЖолду оңдоп бериңиздер.",
        Some("Ак-Таш-Сай айылы"),
    );
}

#[test]
fn a_hamlet_or_the_spoken_village_form_in_the_writers_sentence() {
    check_address(
        "Айыл өкмөтүнүн башчысына\n\nСаламатсызбы, агай. Мен Кара-Төр кыштагында жашайм. Кар жааганда автобус келбейт.\n\nТокторова Айбийке\n26.11.2026",
        Some("Кара-Төр кыштагы"),
    );
    check_address(
        "Айыл өкмөтүнө\nМен Ак-Сай-Булак айлында жашайм. Балама справка керек болду.\nКолу: Эргешов Бакыт",
        Some("Ак-Сай-Булак айылы"),
    );
}

#[test]
fn a_summary_with_room_names_a_second_report_sentence_in_the_letters_order() {
    let d = draft(
        "Айыл өкмөтүнүн башчысына\nАРЫЗ\nБыйыл биздин көчөгө асфальт төшөлдү. Асфальттын калыңдыгы 3 сантиметр да жок, \
         эки айда жарака кетти. Бул фирманын директору башчынын кайнисинин баласы экенин бүт айыл билет, конкурс жөн эле көз боёмо.\n\
         Колу: Асанов Бакыт",
    );
    let s = d.summary;
    assert!(s.chars().count() <= 200, "{s}");
    let (asphalt, firm) = (s.find("асфальт"), s.find("фирма"));
    assert!(asphalt.is_some() && firm.is_some(), "both sentences: {s}");
    assert!(asphalt < firm, "in the letter's order: {s}");
}

#[test]
fn a_labelled_address_above_a_list_of_signers_a_town_and_a_street_first() {
    check_address(
        "Главе айыл окмоту\nОБРАЩЕНИЕ\nМостик снесло водой. Просим построить мост.\n\n\
         От имени жителей: Нуралиев Азамат Курманбекович\nАдрес: с. Кек-Джар, ул. Кирова, 17\n\
         Тел: 0705 11 88 42\n1 декабря 2026 г.\n\nПодписи: Нуралиев А.К., Шевченко Ольга, Бообекова Анара",
        Some("с. Кек-Джар, ул. Кирова, 17"),
    );
    check_address(
        "ЗАГС бөлүмүнө\nАрыз ээси: Мамаджанов Илхомжон Собирович\nКочкор-Ата ш., Навои көч., 5-үй, 12-батир\nАРЫЗ\nФамилияны оңдоп бериңиздер.",
        Some("Кочкор-Ата ш., Навои көч., 5-үй, 12-батир"),
    );
    check_address(
        "Здравствуйте!\nМеня зовут Данияр. Живу на ул. Ынтымак 33, с. Бөрү-Баш. Пишу про нашу дорогу.\nДорога вся в ямах.\nДанияр Эсенов",
        Some("ул. Ынтымак 33, с. Бөрү-Баш"),
    );
}

#[test]
fn a_name_ends_before_a_label_a_time_word_and_after_a_capacity_or_a_group() {
    check_name(
        "Кимден: Сузак районундагы Жаңы-Жол айылынын тургуну Эргешов Алтынбек\nКимге: Айыл өкмөтүнүн башчысына\n\nСаламатсызбы. Көчөбүздүн асфальты бузулду.",
        Some("Эргешов Алтынбек"),
        false,
    );
    check_name(
        "Айыл өкмөтүнө\nМашине ФАПтын жанында турсун.\n\nБаетов айылынын тургуну Жолчуев Асан\nБүгүн 3-декабрь, 2026",
        Some("Жолчуев Асан"),
        false,
    );
    check_name(
        "Боролдой айыл өкмөтүнө\nАта-эне Абылкасымова Сабина\nБоролдой а., Мектеп к. 4\n0550-30-11-72\n\nМектептин алдындагы жолдо машиналар катуу жүрүшөт.",
        Some("Абылкасымова Сабина"),
        false,
    );
    check_name(
        "Главе айыл окмоту\nГрейдер не работает на селе.\n\nПо поручению соседей — Кулматов Бактыбек\nул. Верхняя, 3",
        Some("Кулматов Бактыбек"),
        false,
    );
}

#[test]
fn signers_listed_after_any_heading_are_co_signers_but_not_a_sentence_about_signing() {
    let d = draft(
        "Главе айыл окмоту\nДорогу не доделали. Просим проверить.\n\nОт имени жителей:\n\
         Пономаренко Виктор Иванович, тел. 0543 21 90 66\nТакже подписали: Сыдыкова А., Гречко Н.Н., Абылкасымов Т.\n\nДата: 02.10.2025",
    );
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Пономаренко Виктор Иванович")
    );
    assert_eq!(
        d.applicant.co_signers,
        ["Сыдыкова А.", "Гречко Н.Н.", "Абылкасымов Т."]
    );
    check_name(
        "Айыл окмотуна\nПишу без подписи, потому что все друг друга знают.\nСоцработник Жээнбекова Чолпон составила списки.\nПрошу проверить.\nСоседка",
        None,
        true,
    );
}

#[test]
fn signatures_after_more_closings_and_a_village_before_the_name() {
    check_name(
        "Суу пайдалануучулар ассоциациясынын төрагасына\n\nГрафикти илип коюуну суранам.\n\nУрматтоо менен, Баетов айылынан Жапаров Тилек\nтел.: 0 777 21 56 09",
        Some("Жапаров Тилек"),
        false,
    );
    check_name(
        "Главе айыл окмоту\nХочу поблагодарить фельдшера Петренко Надежду Васильевну.\n\nС благодарностью, Шевченко Галина Петровна,\nс. Луговое, ул. Степная, 3",
        Some("Шевченко Галина Петровна"),
        false,
    );
}

#[test]
fn a_place_straight_after_the_writers_name() {
    let name_then = |place: &str| {
        format!(
            "Ала-Бука районундагы Кызыл-Эшме айыл өкмөтүнүн\nбашчысы Т.Ж. Мамытовго\nАРЫЗ\n\
             Мен, Токтосунов Бакыт Эсенгелдиевич {place} жашайм. Кезекте турам.\nКолу: Б. Токтосунов"
        )
    };
    // The council's place in a two-line addressee is not the writer's; the name ends before
    // the village, and a two-word street and its house go with it.
    let letter = name_then("Кызыл-Эшме айылындагы Жибек Жолу көчөсүндө 23-үйдө");
    check_name(&letter, Some("Токтосунов Бакыт Эсенгелдиевич"), false);
    check_address(&letter, Some("Кызыл-Эшме айылы, Жибек Жолу көчөсү, 23-үй"));
    // The given name before a district is not part of the place.
    check_address(
        "айыл окмотуно\nмен Жолдошбаева Бурулай Тоң районунун Кок-Сай айылынан жазып жатам суу жок\nтел 0778 11 62 09",
        Some("Тоң району, Кок-Сай айылы"),
    );
    // A label or "our" before the village is not part of it.
    check_address(
        "Кимден: Сузак районундагы Жаңы-Жол айылынын тургуну Эргешов Алтынбек\nКимге: Айыл өкмөтүнүн башчысына\n\nАсфальт бузулду.",
        Some("Сузак району, Жаңы-Жол айылы"),
    );
    // The village of the school where the writer works is no home address.
    check_address(
        "Айыл өкмөтүнө\nМен, Абдылдаева Гүлнур Кара-Суу айылындагы Ж. Баласагын атындагы мектепте иштейм. Жайыт талашы бар.\nУрматтоо менен, Г. Абдылдаева",
        None,
    );
}

#[test]
fn a_pupils_class_is_no_address() {
    check_address(
        "Айыл өкмөтүнүн башчысына\n\nМектепке чейин жети километр, кар жааганда автобус келбейт.\nРахмат.\n\nТокторова Айбийке, 10-класс\n26.11.2026",
        None,
    );
    check_address(
        "Здравствуйте!\nДорога вся в ямах, мы ходим в школу по обочине.\nДанияр Эсенов, 9 «А» класс",
        None,
    );
}

#[test]
fn addresses_in_sentences_after_labels_and_below_a_region() {
    check_address(
        "Я, Ахмедов Рустам Каримович, проживаю в с. Достук-Арык, ул. Фрунзе, дом 37.\nСосед переставил забор.",
        Some("с. Достук-Арык, ул. Фрунзе, дом 37"),
    );
    check_address(
        "Меня зовут Шевченко Галина, мне 71 год, живу одна в с. Кең-Жылга по ул. Зелёной, 15.\nПришёл большой счёт.",
        Some("с. Кең-Жылга по ул. Зелёной, 15"),
    );
    check_address(
        "Айыл өкмөтүнүн башчысына\nАрыз берүүчү: Талант кызы Бактыгүл\nАйыл: Сары-Камыш, Эгемендүүлүк көчөсү, 29\nЖардам керек.",
        Some("Сары-Камыш, Эгемендүүлүк көчөсү, 29"),
    );
    check_address(
        "Ош облусу, Кара-Кулжа району\nАйыл өкмөтүнүн башчысына\nЖылкычы-Сай айылы, Жеңиш көчөсү, 12-үйдө жашаган\nЭргешова Зулайкадан\nКүбөлүктө ката бар.",
        Some("Жылкычы-Сай айылы, Жеңиш көчөсү, 12-үй"),
    );
    check_address(
        "Здравствуйте!\nСпециалист не регистрирует дом.\nБайматов Эрнис Кубатбекович, житель с. Кош-Дөбө (ул. Панфилова, 88)\n+996 705 77 41 30",
        Some("с. Кош-Дөбө, ул. Панфилова, 88"),
    );
    check_address(
        "Айыл өкмөтүнө\nАрык бузулду.\n1. Ниязалиев Кубанычбек — Чек-Ара көчөсү, 3 — 0702 114 577\n2. Сатыбалдиева Гүлмира — Чек-Ара көчөсү, 7",
        Some("Чек-Ара көчөсү, 3"),
    );
    check_address(
        "Арыз\nАйыл өкмөтүнүн башчысы Б. Мукашевге\nКимден: Н.А. Төлөгөнова\nДареги: а. Ак-Мойнок, Чүй к., №3\nТел: 0705 220 179\nПенсия керек.",
        Some("а. Ак-Мойнок, Чүй к., №3"),
    );
    check_address(
        "Здравствуйте!\nСпасибо фельдшеру.\nС уважением, жительница с. Орто-Кашка, ул. Ленина, 45,\nШаршенова Елена Викторовна",
        Some("с. Орто-Кашка, ул. Ленина, 45"),
    );
    check_address(
        "Главе айыл окмоту\nА.В. Петренко\nс. Бирлик-Арал, мкр. Восточный,\nул. 5-я, участок 27\nтел. 0 (559) 61 03 44\nПрошу оказать содействие в подключении моего нового дома к электросети.\n26 ноября 2025 г.\nПетренко Андрей Владимирович",
        Some("с. Бирлик-Арал, мкр. Восточный, ул. 5-я, участок 27"),
    );
}

#[test]
fn writers_named_after_an_address_a_topic_or_with_their_capacity() {
    check_name(
        "Ассалому алейкум!\nКөчөдө ээсиз иттер көп.\nКең-Жайык айылы, Ибраим Айтматов көчөсү, 5-үй, Мырзакан уулу Талантбек.\n9-октябрь 2025",
        Some("Мырзакан уулу Талантбек"),
        false,
    );
    check_name(
        "Главе айыл окмоту\nОбращаюсь по поводу поведения заместителя главы Абылкасымова Н. Он собрал людей.\nЗаранее благодарю.\nКадырова Эльмира Садыковна",
        Some("Кадырова Эльмира Садыковна"),
        false,
    );
    check_name(
        "Главе айыл окмоту\nЖалоба на директора школы.\nДиректор взяла на работу невестку.\nПодпись: Юсупова Дилфуза Рахимовна, учитель истории,\nс. Кызыл-Дыйкан, ул. Навои, 9",
        Some("Юсупова Дилфуза Рахимовна"),
        false,
    );
    check_name(
        "Айыл өкмөтүнүн башчысына\nКайрылуу\nАтым Майрамбек Абдыжапаров, Жылгын айылында турам. Бээм жоголду.",
        Some("Майрамбек Абдыжапаров"),
        false,
    );
    check_name(
        "Айыл өкмөтүнүн башчысына\nАрыз ээси: Бейшеева Зууракан, 1948-жылы туулган,\nАпам үчүн мен, кызы Асанова Айнура жазып жатам. Апам майып.\nАсанова А. (кызы)",
        Some("Бейшеева Зууракан"),
        false,
    );
    // The signer's capacity before the name, a label that runs to its colon, a letter dated
    // by month and year only.
    check_name(
        "Айыл өкмөтүнүн башчысына\nМектепте тамак начар. Текшерип бериңиздер.\nАта-энелер комитетинин мүчөсү Бектурова Айперизат Кубанычбековна\nКара-Коо айылы, Мектеп көчөсү, 2-үй",
        Some("Бектурова Айперизат Кубанычбековна"),
        false,
    );
    check_name(
        "Уважаемая комиссия!\nСпециалист взяла 500 сом за бланк.\nБабушка, Абдуллаева Хадича, с. Джаны-Джер",
        Some("Абдуллаева Хадича"),
        false,
    );
    check_name(
        "Айыл өкмөтүнүн башчысына\nБиздин айылда жол бузулуп калды. Оңдоп бериңиздер.\nЖылкелди айылы\nКолу коюлган: Мамажанов Илхом\nТел 0 222 73 40 11",
        Some("Мамажанов Илхом"),
        false,
    );
    check_name(
        "По поводу поля у школы\nПокрытие уже отходит по краям. Прошу запросить смету.\nГарифуллин Ринат Маратович\nс. Кызыл-Байрак, ул. Токтогула 112 кв 3\nноябрь 2026",
        Some("Гарифуллин Ринат Маратович"),
        false,
    );
}

#[test]
fn the_subject_line_names_the_category() {
    let text = "Главе айыл окмоту\nФ.И.О.: Ли Светлана Викторовна\nЖалоба на грубое обращение\nЯ пришла в айыл окмоту утром. Специалист сказала «приходите завтра» и закрыла дверь перед людьми.\nЛи С.В.";
    // The lexicon alone, so that the learned category (retrained with every batch) cannot
    // decide either way.
    let lexicon = Models::embedded().without_learned();
    let category = |t: &str| {
        draft_letters(&[page_from_text("p1", t)], &lexicon)[0]
            .category
            .clone()
    };
    assert_eq!(category(text), "staff_conduct");
    let untitled = text.replace("Жалоба на грубое обращение", "Жалоба");
    assert_eq!(category(&untitled), "other");
    assert!(crate::layout::subject_line("суу кезеги боюнча"));
    assert!(crate::layout::subject_line(
        "по поводу мини-футбольного поля"
    ));
    assert!(!crate::layout::subject_line(
        "мен суу кезеги боюнча кайрылып жатам анткени мирап суу бербейт"
    ));
}

#[test]
fn a_letter_signed_by_the_herders_of_a_village_gives_the_village() {
    check_address(
        "Айыл өкмөтүнүн башчысына\nЖайыт комитетинин төрагасы трактор менен өз чөбүн ташып жатат. Текшериңиздер.\n\nТегирмен-Сай айылынын малчылары",
        Some("Тегирмен-Сай айылы"),
    );
}

#[test]
fn an_address_wrapped_before_its_house_number() {
    check_address(
        "Председателю айыл окмоту\nЯ, Усенов Бекболот Рахатович, житель с. Ой-Малы, ул. Кенешбека\nМусаева, 22, обращаюсь по поводу справки.\n07.10.25\nУсенов Б.Р.",
        Some("с. Ой-Малы, ул. Кенешбека Мусаева, 22"),
    );
    check_address(
        "Айыл өкмөтүнүн башчысына\nАсанов Бакыт\nКара-Суу айылы, Жеңиш көчөсү\n20-ноябрь 2025-ж.\nАРЫЗ\nЖарык жок.",
        Some("Кара-Суу айылы, Жеңиш көчөсү"),
    );
}

#[test]
fn a_collective_note_signed_by_residents_keeps_its_body() {
    let d = draft(
        "Жители домов по ул. Токтогула, 40–46 просят принять меры к кафе «Айсулуу», которое работает до трёх часов ночи. Громкая музыка, драки у ворот. Просим ограничить время его работы.\nЖители",
    );
    assert!(d.summary.contains("кафе"), "{}", d.summary);
}

#[test]
fn ocr_stops_and_number_signs_inside_an_address() {
    check_address(
        "Айыл өкмөтүнүн башчысына\nЖиберген: Талантбек кызы Акмаал. Ак-Кыя-Сай айылы. Эркиндик көчөсү, 8-үй\nБакчага кезекке тургам.",
        Some("Ак-Кыя-Сай айылы, Эркиндик көчөсү, 8-үй"),
    );
    check_address(
        "Айыл өкмөтүнүн башчысына\nАсанов Бакыт\nАрча-Мойнок айылы, Бараң көчөсү, М°12\nАРЫЗ\nЖарык жок.",
        Some("Арча-Мойнок айылы, Бараң көчөсү, №12"),
    );
}

#[test]
fn addresses_stop_at_a_phone_and_a_number_alone_is_none() {
    check_address(
        "Айыл кеңешинин депутаттарына\nСуу түтүгү бүтпөй калды.\nЖоомарт Алиев, Кайың-Ды-Сай айылы, 0 700 90 30 11\n19.03.2025",
        Some("Кайың-Ды-Сай айылы"),
    );
    check_address(
        "Соляру тракторист продаёт канистрами.\nПётр Ильич Лукин, 5-47-21",
        None,
    );
    check_address(
        "Айыл өкмөтүнүн башчысына\nМен Кош-Терек айылынан Кадирова Зулайхамын. Жашаган жерим Кош-Терек\nайылы, Бирдик көчөсү 6. Катчыдан маалымкат сурадым.\n0999 14 70 28",
        Some("Кош-Терек айылы, Бирдик көчөсү 6"),
    );
}

#[test]
fn signer_with_a_capitalised_office_and_a_district_landline() {
    let d = draft(
        "Айыл өкмөтүнүн башчысына\nМектепке көмүр керек, класстар суук.\nМектеп директору Абдыкалыкова Салтанат Курманбековна\nКызыл-Эмгек айылы, Мектеп көчөсү, 1\n(03137) 2-11-45",
    );
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Абдыкалыкова Салтанат Курманбековна")
    );
    assert_eq!(d.phone.as_deref(), Some("+996313721145"));
}

fn check_phone(text: &str, expected: Option<&str>) {
    assert_eq!(draft(text).phone.as_deref(), expected, "{text}");
}

#[test]
fn phones_from_labels_not_from_the_body() {
    check_phone(
        "Айыл өкмөтүнүн башчысына\nтел 0555 12 34 56\nАРЫЗ\nЖол жок.",
        Some("+996555123456"),
    );
    check_phone(
        "Айыл өкмөтүнүн башчысына\nБайланыш телефону: +996 (700) 12-34-56\nАРЫЗ\nЖол жок.",
        Some("+996700123456"),
    );
    check_phone(
        "Айыл өкмөтүнүн башчысына\nТел.: 5-12-34\nАРЫЗ\nЖол жок.",
        Some("5-12-34"),
    );
    check_phone(
        "Айыл өкмөтүнүн башчысына\nБайланыш телефону: +996 772\n02-55-17\nАРЫЗ\nЖол жок.",
        Some("+996772025517"),
    );
    check_phone(
        "Айыл өкмөтүнүн башчысына\nТел.: 0 (222) 78 18\n80\nАРЫЗ\nЖол жок.",
        Some("+996222781880"),
    );
    check_phone(
        "Айыл өкмөтүнүн башчысына\nБайланыш телефону: 0 (707) 08\nӨз 91\n\nАрыз\nЖол жок.",
        Some("+996707080391"),
    );
    check_phone(
        "Айыл өкмөтүнүн башчысына\nАРЫЗ\nМирабдын телефону 0700 11 22 33, ал акча талап кылат.\n02.10.2024",
        None,
    );
}

fn check_date(text: &str, expected: Option<&str>) {
    assert_eq!(draft(text).date.as_deref(), expected, "{text}");
}

#[test]
fn letter_date_not_event_dates() {
    check_date(
        "Айыл өкмөтүнүн башчысына\nАРЫЗ\nМен 2023-жылдын 5-мартында арыз бергем, жооп жок.\nЖооп берүүнү суранам.\n14.07.2024-ж.\nКолу: Асанов Бакыт",
        Some("2024-07-14"),
    );
    check_date(
        "Главе айыл окмоту\nЖалоба\nНет воды с 1 мая 2024 года.\nПросим помочь.\n2 октября 2024 г.",
        Some("2024-10-02"),
    );
    check_date(
        "Главе айыл окмоту\nЖалоба\nНет воды с 1 мая 2024 года. Просим помочь.",
        None,
    );
}

fn check_flag(body: &str, lang: &str, expected: bool) {
    let head = if lang == "ru" {
        "Главе айыл окмоту\nЖАЛОБА\n"
    } else {
        "Айыл өкмөтүнүн башчысына\nАРЫЗ\n"
    };
    let d = draft(&format!("{head}{body}"));
    assert_eq!(d.corruption.flag, expected, "{body}: {:?}", d.corruption);
}

#[test]
fn a_withdrawn_complaint_and_a_literal_upstream_are_no_accusation() {
    check_flag(
        "Прошу не рассматривать мое письмо, в котором я написал, что заведующий клубом присвоил деньги. Я разобрался: все чеки он показал. Приношу извинения.",
        "ru",
        false,
    );
    check_flag(
        "Жогору жакта жашаган кошунабыз суу кезеги бүтсө да шлюзду жаппай, суунун баарын өз талаасына агызып алды.",
        "ky",
        false,
    );
    // Thanks to the neighbours, then "but": a complaint, not a letter of thanks.
    check_flag(
        "Жаназага кошуналар чогулуп жардам беришти, ага ыраазыбыз. Бирок көрүстөндү караган киши «жер акы» деп 3000 сом алды, квитанция жок.",
        "ky",
        true,
    );
    // A withdrawal forced by threats is still extortion.
    check_flag(
        "Прошу не рассматривать мою жалобу. Участковый сказал, что если не заберу жалобу, заведет дело, и потребовал 20 тысяч сом взятки.",
        "ru",
        true,
    );
}

#[test]
fn corruption_flags_and_tricky_negatives() {
    check_flag("Жер комиссиясынын катчысы пара талап кылды.", "ky", true);
    check_flag("Айыл өкмөтүндө жемкорлук гүлдөп жатат.", "ky", true);
    check_flag(
        "Башчы тууганчылыкка жол берип, кызмат абалынан пайдаланды.",
        "ky",
        true,
    );
    check_flag(
        "Мен эч кимге пара берген жокмун. Документим даяр эмес.",
        "ky",
        false,
    );
    check_flag(
        "Айылда «аким пара алат» деген ушак бар, биз ишенбейбиз.",
        "ky",
        false,
    );
    check_flag(
        "Башчыга ыракмат айтабыз. Ал бир тыйын да алган жок, пара сурашат деп укканбыз.",
        "ky",
        false,
    );
    check_flag(
        "Жолду оңдоого бюджеттен акча бөлүнбөй жатат. Жолду оңдоону суранабыз.",
        "ky",
        false,
    );
    check_flag(
        "Коррупциянын алдын алуу комиссиясынын ишине ыраазыбыз.",
        "ky",
        false,
    );
    check_flag(
        "Специалист потребовал взятку за оформление участка.",
        "ru",
        true,
    );
    check_flag("Деньги, выделенные на дорогу, были присвоены.", "ru", true);
    check_flag(
        "Взятку я не давал. Прошу ускорить рассмотрение.",
        "ru",
        false,
    );
    check_flag(
        "Просим отремонтировать дорогу, в бюджете нет денег.",
        "ru",
        false,
    );
    check_flag(
        "Благодарим главу за помощь, никаких взяток никто не требовал.",
        "ru",
        false,
    );
}

#[test]
fn grouping_continuations_and_blanks() {
    let blank = page_from_text("b0", "");
    let p1 = page_from_text("a1", KY_LETTER.split("Ушул").next().unwrap_or(""));
    let p2 = page_from_text(
        "a2",
        "Ушул кызматкердин ишин текшерүүнү суранам.\n2024-жылдын 2-октябры\nКолу: Асанов Бакыт",
    );
    let b2 = page_from_text("b1", "");
    let q1 = page_from_text(
        "c1",
        "Главе айыл окмоту\nЖАЛОБА\nНет воды. Просим помочь.\n02.10.2024",
    );
    let pages = vec![blank.clone(), p1, p2, b2, q1, blank];
    let d = draft_letters(&pages, &Models::embedded());
    let got: Vec<Vec<String>> = d.iter().map(|d| d.pages.clone()).collect();
    assert_eq!(got, vec![vec!["b0", "a1", "a2", "b1"], vec!["c1", "b0"]]);
    assert!(draft_letters(&[page_from_text("x", "")], &Models::embedded()).is_empty());
    assert!(draft_letters(&[], &Models::embedded()).is_empty());
}

#[test]
fn a_lower_case_page_after_a_finished_letter_is_a_letter_of_its_own() {
    let groups = |texts: &[&str]| -> Vec<usize> {
        let pages: Vec<_> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| page_from_text(&format!("p{i}"), t))
            .collect();
        draft_letters(&pages, &Models::embedded())
            .iter()
            .map(|d| d.pages.len())
            .collect()
    };
    let signed = "АРЫЗ\nСуу жок. Текшерүүнү суранам.\nАбдыкеримов Т.";
    let phoned = "АРЫЗ\nСуу жок. Бул катты жазган Саидова Мохира. Тел 0505 44 71 20.";
    let sloppy = "здраствуйте. я Петренко Анна прошу помоч мне с пропиской в селе";
    let mother = "бир эне катары жазып жатам\nуулум 3 жашта, жолдомо бербей жатат";
    assert_eq!(groups(&[signed, sloppy]), vec![1, 1]);
    assert_eq!(groups(&[phoned, mother]), vec![1, 1]);
    let note = "Саламатсыздарбы. Көчөдө түнкү жарык күйбөйт.\nЧыракты оңдоп бергиле.";
    let two_bodies = "Б.К. Осмоновадан\nЛейлек районунун билим берүү бөлүмүнө жана Кош-Булак айыл өкмөтүнө\n\nМен 14 жылдан бери мектепте иштейм.";
    assert_eq!(groups(&[note, two_bodies]), vec![1, 1]);
    // A page that stops mid-sentence is still continued by a lower-case page.
    let cut = "АРЫЗ\nБиздин көчөдө суу жок, мираб кезекти сактабай, суу";
    assert_eq!(
        groups(&[cut, "бербей жатат, ошону текшерип бериңиздер деп суранабыз"]),
        vec![2]
    );
}

#[test]
fn sender_in_the_ablative_after_the_address_and_a_labelled_addressee() {
    let d = draft(
        "Жумгал районундагы Үч-Кайың айыл өкмөтүнүн башчысы Сыдыков Э.-ге\nҮч-Кайың айылы, Жибек Жолу көчөсү, 3-үйдө жашаган Керимбаев Маратбек Жусуповичтен\n\nКошунабыз дүйнөдөн кайтты. Жардам берүүнү суранабыз.\n\nКеримбаев М.Ж.",
    );
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Керимбаев Маратбек Жусупович")
    );
    assert_eq!(
        d.address.as_deref(),
        Some("Үч-Кайың айылы, Жибек Жолу көчөсү, 3-үй")
    );
    let d = draft("Кимге: Ак-Кыя айыл өкмөтүнүн башчысы\nКимден: Асанова Айгүл\n\nКАТ\n\nКөчөдө жарык жок. Оңдоону суранам.");
    assert_eq!(d.applicant.name.as_deref(), Some("Асанова Айгүл"));
}

#[test]
fn the_one_who_wrote_this_is_the_applicant() {
    let d = draft("Урматтуу башчы!\nМектепте мугалимдин орду бош болчу, аны директордун келини алды. Текшерүүнү суранам. Бул катты жазган Кош-Дөбө айылы, Сайрам көчөсү 4-үйдө жашаган Саидова Мохира Абдурашидовна. Тел 0505 44 71 20.");
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Саидова Мохира Абдурашидовна")
    );
    assert!(!d.applicant.anonymous);
}

#[test]
fn odd_text_never_fails() {
    for t in [
        "",
        "...",
        "12345",
        "АРЫЗ",
        "Колу:",
        "Тел.:",
        "«««",
        "\n\n\n",
        "Дареги:\nТел.:\nКолу:",
    ] {
        let d = draft_letters(&[page_from_text("x", t)], &Models::embedded());
        for l in d {
            assert!(l.summary.chars().count() <= MAX_SUMMARY);
        }
    }
}

#[test]
fn garbage_pages_need_transcription() {
    let mut p = page_from_text("g", "Жv#%k ;;ab@ 1l1lI| q$w% ъ#ъ@ ~~~ Ь7Ь7 оо0о0");
    p.mean_conf = 30.0;
    assert!(page_needs_transcription(&p));
    let d = draft_letters(
        &[page_from_text("h", "Главе\nЖАЛОБА\nТекст"), p],
        &Models::embedded(),
    );
    assert_eq!(d.len(), 1);
}

#[test]
fn handwritten_pages_need_transcription_even_when_nothing_was_read() {
    let mut p = page_from_text("hw", "");
    p.blank = false; // ink was found, Tesseract read nothing of it
    assert!(!page_needs_transcription(&p));
    p.warnings.push("handwritten".into());
    assert!(page_needs_transcription(&p));
}

#[test]
fn summaries_read_like_a_clerk_wrote_them() {
    let d = draft(
        "Айыл өкмөтүнүн башчысына\nКара-Суу айылынын тургуну Осмонова Гүлнара\nДареги: Кара-Суу айылы, Манас көчөсү, 3-үй\nАРЫЗ\nБиздин кичи районубузда балдар ойной турган бир да аянтча жок.\nМектептин жанындагы бош жерге балдар аянтчасын курууну суранабыз.\n02.10.2024",
    );
    assert_eq!(
        d.summary,
        "Кайрылуу: биздин кичи районубузда балдар ойной турган бир да аянтча жок; өтүнүч: мектептин жанындагы бош жерге балдар аянтчасын куруу (Кара-Суу айылы)"
    );
    let d = draft("Главе айыл окмоту\nот жителя с. Манас Петров Петр\nЗАЯВЛЕНИЕ\nПросим установить уличное освещение возле школы.\n02.10.2024");
    assert_eq!(
        d.summary,
        "Просьба: установить уличное освещение возле школы (с. Манас)"
    );
}

#[test]
fn ocr_noise_in_labels_and_digits() {
    let d = draft(
        "Өмүралиев айыл өкмөтүнүн башчысына\nЧчоң-Өрүк айылынын тургуну\nЖумабек кызы Айгүл\nДарети: Чоң-Өрүк айылы, Достук\nкөчөсү, 2-үй\nТел,: О555 12З 45б\nАРЬІЗ\nАйыл өкмөтүнүн унаасы жеке максатта колдонулуп жатат.\nЭсебин текшерүүнү өтүнөбүз.\n2024-жылдын 24-мaй\nКолу: Жумабек кызы Айгүл",
    );
    assert_eq!(d.applicant.name.as_deref(), Some("Жумабек кызы Айгүл"));
    assert_eq!(
        d.address.as_deref(),
        Some("Чоң-Өрүк айылы, Достук көчөсү, 2-үй")
    );
    assert_eq!(d.phone.as_deref(), Some("+996555123456"));
    assert_eq!(d.date.as_deref(), Some("2024-05-24"));
}

#[test]
fn name_keeps_kyrgyz_letters_when_one_source_lost_them() {
    let d = draft(
        "Айыл өкмөтүнүн башчысына\nМанас айылынын тургуну Тологанов Омурбек\nАРЫЗ\nЖол жок. Жолду оңдоону суранам.\n02.10.2024\nКолу: Төлөгөнов Өмүрбек",
    );
    assert_eq!(d.applicant.name.as_deref(), Some("Төлөгөнов Өмүрбек"));
}

#[test]
fn three_page_letter_groups_into_one() {
    let body = "Жол оңдолбой жатат, балдар мектепке бара албай жатышат.\n".repeat(30);
    let p1 = page_from_text("x1", &format!("Айыл өкмөтүнүн башчысына\nАРЫЗ\n{body}"));
    let p2 = page_from_text("x2", &body);
    let p3 = page_from_text(
        "x3",
        &format!("{body}Жолду оңдоону суранабыз.\n02.10.2024\nКолу: Асанов Бакыт"),
    );
    let d = draft_letters(&[p1, p2, p3], &Models::embedded());
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].pages, vec!["x1", "x2", "x3"]);
    assert_eq!(d[0].applicant.name.as_deref(), Some("Асанов Бакыт"));
    assert_eq!(d[0].category, "roads");
}

#[test]
fn ocr_stray_punctuation_and_breaks() {
    let d = draft(
        "Коррупциянын алдын алуу\nкомиссиясына\n\nАк-Таш айылынын тургуну\nЖээнбекова Гүлнара, Абдыкадыровна\nДареги: Ак-Таш айылы, Токтогул көчөсү,\n\n41-үй\nТел.: +9%6 770 42-40-37\n\nКайрылуу\n\nЖол жок. Жолду оңдоону суранабыз.\n\n14.09.2023-ж.\nКолу: Жээнбекова Гүлнара Абдыкадыровна",
    );
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Жээнбекова Гүлнара Абдыкадыровна")
    );
    assert_eq!(
        d.address.as_deref(),
        Some("Ак-Таш айылы, Токтогул көчөсү, 41-үй")
    );
    assert_eq!(d.phone.as_deref(), Some("+996770424037"));
    check_address(
        "Главе айыл окмоту\nот жителя с. Манас Иванов Иван\nАдрес: с. Манас, ул. Токтогул, д.47\nЗАЯВЛЕНИЕ\nПрошу помочь.",
        Some("с. Манас, ул. Токтогул, д. 47"),
    );
    check_address(
        "Айыл өкмөтүнүн башчысына\nДареги: Кара-Суу айылы, Токтогул көчөсү, б5-үй\nАРЫЗ\nЖол жок.",
        Some("Кара-Суу айылы, Токтогул көчөсү, 65-үй"),
    );
}

/// OCR misreadings of a header seen on degraded scans: the given name after "уулу" with a
/// small first letter, "көчөсү" starting the next line with a capital, the house suffix
/// and a village name garbled, a phone whose label and leading 0 are lost, a day read as
/// a letter.
#[test]
fn header_misreadings_are_repaired() {
    let d = draft_unsure(
        &["Жайы-Жол"],
        "Өмүралиев айыл аймагынын башчысына
Жаңы-Жол айылынын тургуну Калыбек
уулу өмүрбек
Дареги: Жайы-Жол айылы, Көлбаев
Көчөсү, 77-ПЙ
Теңөө (707) 53 1401
АРЫЗ
Айылдагы көпүрө бузулуп калды, оңдоп берүүнү суранам.
2023-жылдын В-май
Колу: Калыбек уулу өмүрбек",
    );
    assert_eq!(d.applicant.name.as_deref(), Some("Калыбек уулу Өмүрбек"));
    assert_eq!(
        d.address.as_deref(),
        Some("Жаңы-Жол айылы, Көлбаев көчөсү, 77-үй")
    );
    assert_eq!(d.phone.as_deref(), Some("+996707531401"));
    assert_eq!(d.date.as_deref(), Some("2023-05-08"));
}

/// Name words whose capital OCR read as a small letter (a font without glyphs for Ө Ү
/// gives boxes that come out as "ө", "сїн"): taken inside a full name, never on their own.
#[test]
fn small_first_letters_inside_a_name_are_capitals() {
    let ky = draft(
        "Өмүралиев айыл аймагынын башчысына
Манас айылынын тургуну Токтосунова
Айгүл өмүралыовна
Дареги: Манас айылы, Манас көчөсү, 47-үй
АРЫЗ
Айылдагы көпүрө бузулуп калды, оңдоп берүүнү суранам.
20.04.2023-ж.
Колу: Токтосунова Айгүл өмүралыовна",
    );
    assert_eq!(
        ky.applicant.name.as_deref(),
        Some("Токтосунова Айгүл Өмүралыовна")
    );
    let ru = draft(
        "В комиссию по предупреждению коррупции
от жителя с. Манас Шаршенов сїн Маратович
Адрес: с. Манас, ул. Көлбаев, д. 98
ОБРАЩЕНИЕ
Прошу отремонтировать мост через арык.
27 сентября 2024 г.
Подпись: Шаршенов сїн Маратович",
    );
    assert!(!ru.applicant.anonymous);
    assert_eq!(ru.applicant.name.as_deref(), Some("Шаршенов Сүн Маратович"));
    // A small word after a surname with no patronymic is not taken for a name.
    let plain = draft(
        "Айыл өкмөтүнүн башчысына
Манас айылынын тургуну Асанов Бакыт
АРЫЗ
Көпүрөнү оңдоп берүүнү суранам.
Колу: Асанов Бакыт ооруп жатам",
    );
    assert_eq!(plain.applicant.name.as_deref(), Some("Асанов Бакыт"));
}

#[test]
fn name_after_name_word_inside_a_sentence() {
    let d = draft(
        "Ак-Талаа айыл өкмөтүнө\n\nСаламатсызбы. Мен Кара-Бак айылында жашайм, аты-жөнүм Сейитов Марат. Биздин көчөдө жарык жок.\nЖарыкты оңдоп берүүнү суранам.\n\n03.04.2025",
    );
    assert_eq!(d.applicant.name.as_deref(), Some("Сейитов Марат"));
}

#[test]
fn sender_label_with_the_writers_own_office() {
    let d = draft(
        "Айыл өкмөтүнүн башчысына\nКимден: Ак-Жар орто мектебинин директору Токоева Жылдыз Асановна\nТел.: 0555 11 22 33\n\nӨтүнүч\n\nМектептин чатырын оңдоого каражат бөлүүнү суранабыз.\n\n05.05.2025",
    );
    assert!(d
        .applicant
        .name
        .as_deref()
        .is_some_and(|n| n.starts_with("Токоева Жылдыз")));
}

#[test]
fn genitive_sender_after_a_place() {
    let d = draft(
        "Главе айыл окмоту\nОт жителя с. Кен-Сай Бекова Нурлана Асановича\nул. Токтогула, 5\n\nЗаявление\n\nПрошу отремонтировать мост через арык.\n\n12.06.2025",
    );
    assert_eq!(d.applicant.name.as_deref(), Some("Беков Нурлан Асанович"));
}

#[test]
fn pronoun_after_a_greeting_on_the_same_line() {
    let d = draft(
        "Саламатсызбы, урматтуу башчы! Мен Алымова Гүлмира Сапаровна, Жаңы-Жол айылында жашайм. Суу келбей калды, жардам бериңиз.\n15.07.2025",
    );
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Алымова Гүлмира Сапаровна")
    );
}

#[test]
fn name_closing_a_note_written_in_one_run() {
    let d = draft(
        "Айыл өкмөтүнө. Туулгандыгы тууралуу күбөлүктү кантип алам? Жооп бериңиздер. Бообек уулу Нурбек, 0700 55 66 77",
    );
    assert_eq!(d.applicant.name.as_deref(), Some("Бообек уулу Нурбек"));
}

#[test]
fn representative_marked_after_the_name() {
    let d = draft(
        "Району акимине\n\nБиз, Ак-Суу айылынын дыйкандары, кайрылабыз. Сугат суусу келбей жатат.\nСууну убагында берүүнү суранабыз.\nКол коюшкандар: Асанов Бекзат (өкүл), Токоев Марат, Сыдыкова Айнура\n",
    );
    assert_eq!(d.applicant.name.as_deref(), Some("Асанов Бекзат"));
}

#[test]
fn ablative_sender_line_with_own_role() {
    let d = draft(
        "Кызыл-Жар айыл өкмөтүнүн башчысына\nМираб Токтогулов Эрлан Бакытовичтен\nТүшүндүрмө кат\n\nСуу бөлүштүрүү графиги бузулду, себеби насос иштебей калды.\n\nТоктогулов Э. Б.\n3-март 2025-жыл",
    );
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Токтогулов Эрлан Бакытович")
    );
}

#[test]
fn letters_end_at_a_contact_block_and_open_below_a_place_line() {
    let pages = vec![
        page_from_text(
            "a",
            "Айыл өкмөтүнүн башчысына\n\nКөчөдөгү чуңкурларды оңдоп берүүнү суранам.\n\nАсанов Бакыт Жумабекович\nЖаңы-Жол айылы, Ленин көчөсү, 5\n0705 91 24 37",
        ),
        page_from_text(
            "b",
            "с. Кара-Бак, 3 апреля 2025 г.\n\nГлаве айыл окмоту\n\nВ нашем ФАПе нет врача. Прошу помочь.\n\nОрлова Анна Сергеевна",
        ),
        page_from_text(
            "c",
            "Третий раз пишу про воду. Никто не отвечает.\nИванов Петр, с. Кара-Бак",
        ),
    ];
    let d = draft_letters(&pages, &Models::embedded());
    let groups: Vec<Vec<String>> = d.iter().map(|l| l.pages.clone()).collect();
    assert_eq!(groups, vec![vec!["a"], vec!["b"], vec!["c"]]);
}

#[test]
fn corruption_paid_for_not_done_and_stressed_negatives() {
    check_flag(
        "Көпүрөнү оңдоого бюджеттен акча бөлүнгөн. Бирок бир да жумушчу келген жок. Акча кайда кетти?",
        "ky",
        true,
    );
    check_flag(
        "Завхоз собирает с родителей по 500 сом. Никаких квитанций не выдают.",
        "ru",
        true,
    );
    check_flag(
        "Землеустроитель Асанов Б. сказал, что если я отблагодарю, то вопрос решится быстро.",
        "ru",
        true,
    );
    check_flag(
        "Көпүрөнү оңдоого бюджеттен акча бөлүнгөн. Жумуш быйыл күзүндө бүттү, рахмат.",
        "ky",
        false,
    );
}

#[test]
fn compact_initials_and_glued_endings() {
    let d = draft(
        "Айыл өкмөтүнүн башчысына\nТокоев Б.К.дан\nКөчөдөгү суу түтүгү жарылды, оңдоп берүүнү суранабыз.\nТел: 0554 08 17 62",
    );
    assert_eq!(d.applicant.name.as_deref(), Some("Токоев Б.К."));
    let d = draft(
        "Главе айыл окмоту\nСпециалист груб с посетителями. Прошу провести беседу.\nСеменов П.И., с. Ортоку, т. 5-21-34",
    );
    assert_eq!(d.applicant.name.as_deref(), Some("Семенов П.И."));
    let d = draft(
        "Айыл өкмөтүнүн башчысы Асанов Т.ге\n\nСаламатсызбы. Мен Ак-Суу айылынан Токтосунова Айпериймин.\nЖолду оңдоп бериңиздер.",
    );
    assert_eq!(d.applicant.name.as_deref(), Some("Токтосунова Айперий"));
}

#[test]
fn a_place_read_with_confidence_keeps_the_writers_spelling() {
    let text =
        "Главе айыл окмоту\nАдрес: с. Жаны-Жол, ул. Ленина, 5\nЗАЯВЛЕНИЕ\nПрошу починить мост.";
    assert_eq!(
        draft(text).address.as_deref(),
        Some("с. Жаны-Жол, ул. Ленина, 5")
    );
    assert_eq!(
        draft_unsure(&["Жаны-Жол"], text).address.as_deref(),
        Some("с. Жаңы-Жол, ул. Ленина, 5")
    );
}

#[test]
fn corruption_by_meaning_kickbacks_seizure_thanks_as_bribe_and_idioms() {
    // A share returned from a contract, without a sum.
    check_flag(
        "Курулуш фирмасы айыл өкмөтүнө 15 пайызын кайтарып берет экен, ошондуктан мектептин чатыры начар жабылды.",
        "ky",
        true,
    );
    // An official takes public land.
    check_flag(
        "Председатель земельной комиссии самовольно занял и огородил общественный выгон за кладбищем.",
        "ru",
        true,
    );
    // "Thanks" that is the bribe's name is no letter of thanks.
    check_flag(
        "Паспорт столунун адиси «ыраазычылык көрсөтсөңүз тез болот» деди, ыраазычылыгы 3 миң сом экен.",
        "ky",
        true,
    );
    // "жок дегенде" (at least) negates nothing.
    check_flag(
        "Жардам тизмесинде жок дегенде беш киши айыл өкмөтү кызматкерлеринин балдары.",
        "ky",
        true,
    );
    // Work reported on paper, not done in fact.
    check_flag(
        "В отчёте сказано, что мост отремонтирован. Фактически не сделано ничего, деньги списаны.",
        "ru",
        true,
    );
    // A thank-you letter with free help at home stays clean.
    check_flag(
        "Хочу поблагодарить медсестру: она приходила домой и ставила уколы бесплатно.",
        "ru",
        false,
    );
}

#[test]
fn names_from_labels_roles_and_signatures_of_other_layouts() {
    let name = |t: &str| draft(t).applicant.name;
    // An ablative sender with initials first, the address after a comma.
    assert_eq!(
        name("Айыл өкмөтүнө\nК. Бообековдон, Ак-Булун айылы, Токтогул көч. 3\nКөпүрө бузулду, оңдоп бериңиздер.").as_deref(),
        Some("К. Бообеков")
    );
    // An office on the line above the signer's name is the signer's own.
    assert_eq!(
        name("Главе айыл окмоту\nЖАЛОБА\nВ школе нет отопления.\nС уважением,\nПредседатель родительского комитета\nКоваленко Ирина Павловна\nс. Ивановка, ул. Садовая, 4").as_deref(),
        Some("Коваленко Ирина Павловна")
    );
    // A demonym after the name is no part of it; a patronymic at a line's end ends it.
    assert_eq!(
        name("Айыл өкмөтүнө\nмен Сыдыков Бакай Ала-Бельдик дыйканмын. Арыкты тазалап бергиле.")
            .as_deref(),
        Some("Сыдыков Бакай")
    );
    assert_eq!(
        name("Айыл өкмөтүнө\nАРЫЗ\nЖол бузулду.\nМугалимдердин ардагери Токтобаев Жолдош Асанович\nАк-Бура айылы, Ордо көчөсү, 2").as_deref(),
        Some("Токтобаев Жолдош Асанович")
    );
    // A collective letter's authorised representative, fuller than the signers' list.
    assert_eq!(
        name("Главе айыл окмоту\nКоллективная жалоба\nДорогу не ремонтируют.\nУполномоченная жителями: Ким Светлана Олеговна\nПодписи: Ким С.О., Лебедев А.").as_deref(),
        Some("Ким Светлана Олеговна")
    );
}

#[test]
fn addresses_whole_as_written_and_never_a_village_of_the_story() {
    let addr = |t: &str| draft(t).address;
    assert_eq!(
        addr("Айыл өкмөтүнө\nАРЫЗ\nЖарык жок.\nДарегим: Тоо-Башы айылы, Эркиндик көчөсү, № 14\nТел: 0700 11 22 33").as_deref(),
        Some("Тоо-Башы айылы, Эркиндик көчөсү, № 14")
    );
    assert_eq!(
        addr("Айыл өкмөтүнө\nАРЫЗ\nСуу жок.\nУрматтоо менен\nТөлөнов Айбек\nКен-Суу айылы, Манас атам көчөсү, 8").as_deref(),
        Some("Кен-Суу айылы, Манас атам көчөсү, 8")
    );
    // An anonymous note about a place in the village gives no address of its writer.
    assert_eq!(
        addr("Айыл өкмөтүнө\nКызыл-Булак айылынын четиндеги дүкөн түнү менен арак сатат.\nЧара көрүңүздөр.\nКошуналар"),
        None
    );
}

#[test]
fn a_surname_given_apart_in_the_introduction() {
    let d = draft("Айыл өкмөтүнө\nМенин атым Бермет, фамилиям Асылбекова. Ак-Жол айылында жашайм. Көпүрө бузулду.");
    assert_eq!(d.applicant.name.as_deref(), Some("Асылбекова Бермет"));
    assert_eq!(d.address.as_deref(), Some("Ак-Жол айылы"));
}

#[test]
fn names_the_story_does_not_give_and_labels_it_does() {
    let name = |t: &str| draft(t).applicant.name;
    // Someone "responsible" in the story is not the letter's representative.
    assert_eq!(
        name("Айыл өкмөтүнө\nКурулуш боюнча жооптуу Осмонов Бакыт түн ичинде цементти үйүнө ташыды.\nУрматтоо менен,\nТокоев Эрлан, Ак-Суу айылы").as_deref(),
        Some("Токоев Эрлан")
    );
    // A capacity label before the name, a case ending ends the name, "Ф.А.А.:".
    assert_eq!(
        name("Айыл өкмөтүнө\nАРЫЗ\nКөчөдө жарык жок.\nКөчө комитети: Бекова Жылдыз Асановна\nАк-Суу айылы, Манас көчөсү, 3").as_deref(),
        Some("Бекова Жылдыз Асановна")
    );
    assert_eq!(
        name("Айыл өкмөтүнө\nКара-Суу айылынын тургуну, пенсионер Осмонов Бакыттан\nБиздин көчөдө суу жок.").as_deref(),
        Some("Осмонов Бакыт")
    );
    assert_eq!(
        name("Айыл өкмөтүнө\nФ.А.А.: Асанова Гүлзат Бакытовна\nАРЫЗ\nЖер тилкеси керек.")
            .as_deref(),
        Some("Асанова Гүлзат Бакытовна")
    );
}

#[test]
fn a_page_opening_with_a_greeting_is_a_new_letter() {
    let a = page_from_text(
        "a1",
        "Айыл өкмөтүнө\n\nКошунам тосмо тургузуп, жеримди ээлеп алды. Өлчөп беришиңизди суранам.\nЧыңгыз",
    );
    let b = page_from_text(
        "b1",
        "Ассалому алейкум, урматтуу айыл өкмөтү!\n\nКөчөбүздө жарык жок. Чырактарды оңдоп бериңиздер.",
    );
    assert_eq!(draft_letters(&[a, b], &Models::embedded()).len(), 2);
}

#[test]
fn senders_listed_on_one_line_or_after_a_title() {
    let d = draft("05.05.2025 Жумабаев Чыңгыз Асылбекович, Кара-Жыгач-Сай а., Жеңижок к., 18\nАйыл өкмөтүнүн жер адисине\n\nКошунам тосмо тургузуп, жеримдин 2 метрин ээлеп алды. Жер адиси келип, өлчөп беришин суранам.");
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Жумабаев Чыңгыз Асылбекович")
    );
    let d = draft("Заявление\nГлаве Куршаб-Сайского айыл окмоту\nот Хамидова Рустама Абдуллаевича,\nпроживающего: а. Куршаб-Сай, ул. Навои, д. 27\nЯ подал документы на выписку ещё 3 марта. Прошу выдать выписку в срок.\nХамидов Р.А.");
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Хамидов Рустам Абдуллаевич")
    );
    assert_eq!(
        d.address.as_deref(),
        Some("а. Куршаб-Сай, ул. Навои, д. 27")
    );
}

#[test]
fn namesakes_helpers_and_representatives() {
    // A school named after someone is no writer; the signer is.
    let d = draft("Здравствуйте!\nПишу вам как мама ученика школы имени Т. Сыдыкбекова. В школе нет учителя математики.\nС уважением, Абдырахманова Жылдыз, с. Тоолук-Сай, ул. Жибек-Жолу 56");
    assert_eq!(d.applicant.name.as_deref(), Some("Абдырахманова Жылдыз"));
    // The son writes for his mother, who is the applicant by the label.
    let d = draft("Айыл өкмөтүнүн башчысына\nАрыз ээси: Токтосунова Бүбүсара\nАрча-Мойнок айылы, Бараң көчөсү, №12\nАпам жаза албайт, ошон үчүн мен, уулу Токтосунов Марат, жазып жатам. Көмүр бөлүп беришиңиздерди суранабыз.\nЖазган: Токтосунов Марат");
    assert_eq!(d.applicant.name.as_deref(), Some("Токтосунова Бүбүсара"));
    let d = draft("Директору школы\nЖалоба родителей\nСобрали по 3000 сомов на ремонт, ремонта не было. Просим отчитаться.\nОт имени родителей — Дмитриева Анна Игоревна, тел. 0555 73 62 08");
    assert_eq!(d.applicant.name.as_deref(), Some("Дмитриева Анна Игоревна"));
}

#[test]
fn name_endings_come_off_only_where_they_are_endings() {
    let d = draft("Айыл өкмөтүнүн башчысына\nКаналды тазалап бериңиздер.\nТурганбаев Абдымомун, тел 0 773 15 60 27");
    assert_eq!(d.applicant.name.as_deref(), Some("Турганбаев Абдымомун"));
    let d = draft("Жер комиссиясына\nӨмүрзаков Талгардан\nТел: 0500 27 19 64\nМага жер тууралуу справка бериңиздер.");
    assert_eq!(d.applicant.name.as_deref(), Some("Өмүрзаков Талгар"));
    let d = draft("Ассалому алейкум!\nДарыгер акча сурайт. Ушул маселени карап бериңиздерчи. Мен Сары-Жаз-Төр айылынын тургуну Карабаева Айчүрөк Шериповнамын, телефонум 0704 12 88 39.");
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Карабаева Айчүрөк Шериповна")
    );
}

#[test]
fn a_signer_with_an_office_or_a_long_phone_line_under_the_body() {
    let d = draft("В айыл окмоту\nЗаявление\nПрошу исправить ошибку в похозяйственной книге. Копию паспорта прилагаю.\nБекмурзоев Алмаз Токторович\nс. Ала-Мүңкү-Сай, ул. Чолпон-Ата, 25\nраб. тел. 0312 54-60-12 (звоню из Бишкека, в селе бываю по выходным)\nДата: 10 июня 2025 г.");
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Бекмурзоев Алмаз Токторович")
    );
    let d = draft("Главе айыл окмоту\nТендер объявили на два дня. Прошу отменить итоги.\n\nИсмаилов Тимур Русланович,\nдепутат айылного кенеша,\nс. Покровка, ул. Кирова 18");
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Исмаилов Тимур Русланович")
    );
}

#[test]
fn offices_relations_and_russian_spellings_in_the_sender() {
    let d = draft("Главе Туура-Суйского айыл окмоту\nАбдыкадырову С.М.\nот председателя кооператива «Эмгек-Нуру»\nАсанбековой Гулзат Кубанычбековны\nс. Туура-Суу, ул. Байтерек, 15\nПрошу вмешаться: экономист требует вернуть ему 10 %.");
    // A Russian letter writes the Kyrgyz name the Russian way: kept as written.
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Асанбекова Гулзат Кубанычбековна")
    );
    let d = draft("В айыл окмоту Сары-Жазского аймака\nМоей матери перестали перечислять пособие. Прошу ускорить выдачу документов.\nСын — Бекболотов Руслан Маратович\nс. Сары-Жаз, ул. Шабдан Баатыра, 40");
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Бекболотов Руслан Маратович")
    );
    let d = draft("Айыл өкмөтүнүн башчысы Т. Насирдиновго\nАрыз ээси: Орозбаева Назгүл Төлөгөновна\nМугалим акча чогултат. Текшерүүңүздү суранам.");
    assert_eq!(
        d.applicant.name.as_deref(),
        Some("Орозбаева Назгүл Төлөгөновна")
    );
}

#[test]
fn abbreviated_village_and_street_without_words() {
    let d = draft("Айыл өкмөтүнүн башчысына\nАрыз берүүчү: Сатаров Нурлан Мукашевич\nАрчалуу-Төр а., Жайлоо к., 2\nАрыз\nЖеримди башка адамга беришиптир. Текшерүүнү суранам.");
    assert_eq!(d.address.as_deref(), Some("Арчалуу-Төр а., Жайлоо к., 2"));
}

#[test]
fn a_postscript_is_body_and_the_signature_before_it_is_the_footer() {
    let d = draft("Жылуу-Суу-Бел айыл өкмөтүнө\nМен справка алуу үчүн үч жолу бардым. Тартипке салып беришиңизди суранам.\nЖылуу-Суу-Бел айылы, Орозбеков көчөсү 3\n0550 77 21 09\n15.04.2025\nР.5. Акыры катчы \"500 сом таштап кет, эртең даяр болот\" деди.");
    assert_eq!(
        d.address.as_deref(),
        Some("Жылуу-Суу-Бел айылы, Орозбеков көчөсү 3")
    );
    assert!(d.corruption.flag, "{:?}", d.corruption);
}

#[test]
fn an_address_in_a_sentence_wraps_onto_the_next_line() {
    let d = draft("Айыл өкмөтүнө\nМен, Бакиров Нурсултан, Көк-Жайык-Сай айылынын Байтик\nкөчөсүндө 7-үйдө жашайм. Суу келбей калды, кезекти бөлүп беришиңерди өтүнөм.");
    assert_eq!(
        d.address.as_deref(),
        Some("Көк-Жайык-Сай айылы, Байтик көчөсү, 7-үй")
    );
}

#[test]
fn ocr_damage_at_a_page_edge_does_not_join_two_letters() {
    let a = page_from_text(
        "a1",
        "Главе айыл окмоту\nПрошу выдать мне выписку в установленный срок.\n\nХамидов Р.А.\nТ апреля 2025 г.",
    );
    let b = page_from_text(
        "b1",
        "Айыл кеңешинин депутаттарына\n\nбиздин айылга суу түтүгүн тартуу боюнча проект башталган, бирок бүткөн жок.",
    );
    let c = page_from_text(
        "c1",
        "[лаве Чон-Таш-Булак айыл окмоту\n\nслужебная машина стоит у дома заместителя главы каждые выходные.",
    );
    assert_eq!(draft_letters(&[b, a, c], &Models::embedded()).len(), 3);
}
