package places

// Korean names of places in Korea, for pages and screens in Korean.
// GeoNames gives them in English (romanized, sometimes in an older
// romanization such as Chinju or Kimhae); these tables give the names
// people write, checked by hand against ISO 3166-2:KR (the regions) and
// the names of the cities' own administrations. A region keeps the name
// in everyday use, not its title in law: 서울, not 서울특별시; 제주도,
// not 제주특별자치도; 강원도 and 전라북도, not 강원특별자치도 and
// 전북특별자치도 (renamed in 2023 and 2024).

// koreanRegions are the 17 first-level divisions by GeoNames' name.
var koreanRegions = map[string]string{
	"Seoul":             "서울",
	"Busan":             "부산",
	"Daegu":             "대구",
	"Incheon":           "인천",
	"Gwangju":           "광주",
	"Daejeon":           "대전",
	"Ulsan":             "울산",
	"Sejong-si":         "세종",
	"Gyeonggi-do":       "경기도",
	"Gangwon-do":        "강원도",
	"North Chungcheong": "충청북도",
	"Chungcheongnam-do": "충청남도",
	"Jeollabuk-do":      "전라북도",
	"Jeollanam-do":      "전라남도",
	"Gyeongsangbuk-do":  "경상북도",
	"Gyeongsangnam-do":  "경상남도",
	"Jeju-do":           "제주도",
}

// koreanCities are the cities and counties of Korea that the table of
// places holds, by GeoNames' region and name, without 시 or 군 (수원,
// not 수원시). A town not here is named by its region.
var koreanCities = map[[2]string]string{
	{"Seoul", "Seoul"}:           "서울",
	{"Busan", "Busan"}:           "부산",
	{"Busan", "Dongnae"}:         "동래",
	{"Busan", "Gijang"}:          "기장",
	{"Daegu", "Daegu"}:           "대구",
	{"Incheon", "Incheon"}:       "인천",
	{"Incheon", "Bupyeong"}:      "부평",
	{"Incheon", "Ganghwa-gun"}:   "강화",
	{"Incheon", "Baengnyeongdo"}: "백령도",
	{"Gwangju", "Gwangju"}:       "광주",
	{"Daejeon", "Daejeon"}:       "대전",
	{"Daejeon", "Yuseong"}:       "유성",
	{"Ulsan", "Ulsan"}:           "울산",
	{"Sejong-si", "Sejong"}:      "세종",

	{"Gyeonggi-do", "Suwon"}:        "수원",
	{"Gyeonggi-do", "Seongnam-si"}:  "성남",
	{"Gyeonggi-do", "Goyang-si"}:    "고양",
	{"Gyeonggi-do", "Bucheon-si"}:   "부천",
	{"Gyeonggi-do", "Ansan-si"}:     "안산",
	{"Gyeonggi-do", "Anyang-si"}:    "안양",
	{"Gyeonggi-do", "Namyangju"}:    "남양주",
	{"Gyeonggi-do", "Hwaseong-si"}:  "화성",
	{"Gyeonggi-do", "Pyeongtaek"}:   "평택",
	{"Gyeonggi-do", "Uijeongbu-si"}: "의정부",
	{"Gyeonggi-do", "Paju"}:         "파주",
	{"Gyeonggi-do", "Gimpo-si"}:     "김포",
	{"Gyeonggi-do", "Gwangju"}:      "광주",
	{"Gyeonggi-do", "Gwangmyeong"}:  "광명",
	{"Gyeonggi-do", "Hanam"}:        "하남",
	{"Gyeonggi-do", "Osan"}:         "오산",
	{"Gyeonggi-do", "Icheon-si"}:    "이천",
	{"Gyeonggi-do", "Anseong"}:      "안성",
	{"Gyeonggi-do", "Yangju"}:       "양주",
	{"Gyeonggi-do", "Guri-si"}:      "구리",
	{"Gyeonggi-do", "Gunpo"}:        "군포",
	{"Gyeonggi-do", "Uiwang"}:       "의왕",
	{"Gyeonggi-do", "Yeoju"}:        "여주",
	{"Gyeonggi-do", "Gapyeong"}:     "가평",
	{"Gyeonggi-do", "Yangp'yŏng"}:   "양평",
	{"Gyeonggi-do", "Yeoncheon"}:    "연천",

	{"Gangwon-do", "Chuncheon"}:    "춘천",
	{"Gangwon-do", "Wŏnju"}:        "원주",
	{"Gangwon-do", "Gangneung"}:    "강릉",
	{"Gangwon-do", "Sokcho"}:       "속초",
	{"Gangwon-do", "Donghae City"}: "동해",
	{"Gangwon-do", "T’aebaek"}:     "태백",
	{"Gangwon-do", "Pyeongchang"}:  "평창",
	{"Gangwon-do", "Cheorwon"}:     "철원",
	{"Gangwon-do", "Hwacheon"}:     "화천",
	{"Gangwon-do", "Yanggu"}:       "양구",
	{"Gangwon-do", "Hongch’ŏn"}:    "홍천",
	{"Gangwon-do", "Kosong"}:       "고성",
	{"Gangwon-do", "Jumunjin"}:     "주문진",

	{"North Chungcheong", "Cheongju-si"}: "청주",
	{"North Chungcheong", "Chungju"}:     "충주",
	{"North Chungcheong", "Okcheon"}:     "옥천",
	{"North Chungcheong", "Yeongdong"}:   "영동",
	{"North Chungcheong", "Koesan"}:      "괴산",

	{"Chungcheongnam-do", "Cheonan"}:    "천안",
	{"Chungcheongnam-do", "Asan"}:       "아산",
	{"Chungcheongnam-do", "Gongju"}:     "공주",
	{"Chungcheongnam-do", "Boryeong"}:   "보령",
	{"Chungcheongnam-do", "Seosan"}:     "서산",
	{"Chungcheongnam-do", "Nonsan"}:     "논산",
	{"Chungcheongnam-do", "Buyeo"}:      "부여",
	{"Chungcheongnam-do", "Yesan"}:      "예산",
	{"Chungcheongnam-do", "Hongseong"}:  "홍성",
	{"Chungcheongnam-do", "Cheongyang"}: "청양",
	{"Chungcheongnam-do", "Tangjin"}:    "당진",

	{"Jeollabuk-do", "Jeonju"}:   "전주",
	{"Jeollabuk-do", "Gunsan"}:   "군산",
	{"Jeollabuk-do", "Iksan"}:    "익산",
	{"Jeollabuk-do", "Jeongeup"}: "정읍",
	{"Jeollabuk-do", "Kimje"}:    "김제",
	{"Jeollabuk-do", "Buan"}:     "부안",
	{"Jeollabuk-do", "Imsil"}:    "임실",
	{"Jeollabuk-do", "Wanju"}:    "완주",

	{"Jeollanam-do", "Mokpo"}:      "목포",
	{"Jeollanam-do", "Yeosu"}:      "여수",
	{"Jeollanam-do", "Suncheon"}:   "순천",
	{"Jeollanam-do", "Naju"}:       "나주",
	{"Jeollanam-do", "Gwangyang"}:  "광양",
	{"Jeollanam-do", "Kwangyang"}:  "광양",
	{"Jeollanam-do", "Damyang"}:    "담양",
	{"Jeollanam-do", "Haenam"}:     "해남",
	{"Jeollanam-do", "Boseong"}:    "보성",
	{"Jeollanam-do", "Hwasun"}:     "화순",
	{"Jeollanam-do", "Muan"}:       "무안",
	{"Jeollanam-do", "Yeonggwang"}: "영광",
	{"Jeollanam-do", "Jangseong"}:  "장성",
	{"Jeollanam-do", "Kurye"}:      "구례",
	{"Jeollanam-do", "Yeongam"}:    "영암",

	{"Gyeongsangbuk-do", "Pohang"}:       "포항",
	{"Gyeongsangbuk-do", "Gyeongju"}:     "경주",
	{"Gyeongsangbuk-do", "Gimcheon"}:     "김천",
	{"Gyeongsangbuk-do", "Andong"}:       "안동",
	{"Gyeongsangbuk-do", "Gumi"}:         "구미",
	{"Gyeongsangbuk-do", "Yeongju"}:      "영주",
	{"Gyeongsangbuk-do", "Sangju"}:       "상주",
	{"Gyeongsangbuk-do", "Mungyeong"}:    "문경",
	{"Gyeongsangbuk-do", "Gyeongsan-si"}: "경산",
	{"Gyeongsangbuk-do", "Yecheon"}:      "예천",
	{"Gyeongsangbuk-do", "Yeongdeok"}:    "영덕",

	{"Gyeongsangnam-do", "Changwon"}:    "창원",
	{"Gyeongsangnam-do", "Chinju"}:      "진주",
	{"Gyeongsangnam-do", "Tongyeong"}:   "통영",
	{"Gyeongsangnam-do", "Kimhae"}:      "김해",
	{"Gyeongsangnam-do", "Miryang"}:     "밀양",
	{"Gyeongsangnam-do", "Geoje"}:       "거제",
	{"Gyeongsangnam-do", "Yangsan"}:     "양산",
	{"Gyeongsangnam-do", "Hadong"}:      "하동",
	{"Gyeongsangnam-do", "Changnyeong"}: "창녕",
	{"Gyeongsangnam-do", "Goseong"}:     "고성",

	{"Jeju-do", "Jeju City"}: "제주",
	{"Jeju-do", "Seogwipo"}:  "서귀포",
}

// korean is the place in Korean: its city and region by the tables
// (a city not in them left out), for a place in Korea; ok is false for
// a place elsewhere, or in a region the tables do not know.
func (p Place) korean() (Place, bool) {
	region, ok := koreanRegions[p.Region]
	if p.Country != "KR" || !ok {
		return p, false
	}
	return Place{Country: p.Country, Region: region, City: koreanCities[[2]string{p.Region, p.City}]}, true
}
