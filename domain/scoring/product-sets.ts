/**
 * The 26 product sets (bộ sản phẩm) of Annex II, placed in Annex I's taxonomy: sector (I–VI) → group → subgroup
 * (phân nhóm). Codes are ours and stable; the Vietnamese titles are Annex II's list.
 */
interface Unit {
  readonly code: string;
  readonly name: string;
}

export interface ProductSetInfo {
  readonly code: string;
  readonly ordinal: number;
  readonly title: string;
  readonly titleEn: string;
  readonly productSet: { readonly sector: Unit; readonly group: Unit; readonly subgroup: Unit | null };
}

const FOOD: Unit = { code: 'I', name: 'Sản phẩm thực phẩm' };
const DRINK: Unit = { code: 'II', name: 'Sản phẩm đồ uống' };
const HERBAL: Unit = { code: 'III', name: 'Sản phẩm dược liệu và sản phẩm từ dược liệu' };
const CRAFT: Unit = { code: 'IV', name: 'Sản phẩm hàng thủ công mỹ nghệ' };
const ORNAMENTAL: Unit = { code: 'V', name: 'Sản phẩm sinh vật cảnh' };
const TOURISM: Unit = {
  code: 'VI',
  name: 'Sản phẩm dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch',
};

const g = (code: string, name: string): Unit => ({ code, name });
const FRESH = g('I.1', 'Thực phẩm tươi sống');
const RAW = g('I.2', 'Thực phẩm thô, sơ chế');
const PROCESSED = g('I.3', 'Thực phẩm chế biến');
const SPICE = g('I.4', 'Gia vị');
const TEA = g('I.5', 'Chè');
const ALCOHOL = g('II.1', 'Đồ uống có cồn');
const SOFT = g('II.2', 'Đồ uống không cồn');

export const PRODUCT_SETS: readonly ProductSetInfo[] = [
  {
    code: 'fresh-produce',
    ordinal: 1,
    title: 'Rau, củ, quả, hạt tươi',
    titleEn: 'Fresh vegetables, roots, fruit and nuts',
    productSet: { sector: FOOD, group: FRESH, subgroup: g('I.1.a', 'Rau, củ, quả, hạt tươi') },
  },
  {
    code: 'fresh-meat-fish-eggs-milk',
    ordinal: 2,
    title: 'Thịt, thủy sản, trứng, sữa tươi',
    titleEn: 'Fresh meat, aquatic products, eggs and milk',
    productSet: { sector: FOOD, group: FRESH, subgroup: g('I.1.b', 'Thịt, thủy sản, trứng, sữa tươi') },
  },
  {
    code: 'rice-cereals',
    ordinal: 3,
    title: 'Gạo, ngũ cốc, hạt sơ chế khác',
    titleEn: 'Rice, cereals and other pre-processed grains',
    productSet: { sector: FOOD, group: RAW, subgroup: g('I.2.a', 'Gạo, ngũ cốc, hạt sơ chế khác') },
  },
  {
    code: 'honey-other-raw-foods',
    ordinal: 4,
    title: 'Mật ong, mật khác và nông sản thực phẩm khác',
    titleEn: 'Honey, other syrups and other raw food produce',
    productSet: { sector: FOOD, group: RAW, subgroup: g('I.2.b', 'Mật ong, mật khác và nông sản thực phẩm khác') },
  },
  {
    code: 'fast-food',
    ordinal: 5,
    title: 'Đồ ăn nhanh',
    titleEn: 'Fast food',
    productSet: { sector: FOOD, group: PROCESSED, subgroup: g('I.3.a', 'Đồ ăn nhanh') },
  },
  {
    code: 'processed-rice-cereals',
    ordinal: 6,
    title: 'Chế biến từ gạo, ngũ cốc',
    titleEn: 'Processed from rice and cereals',
    productSet: { sector: FOOD, group: PROCESSED, subgroup: g('I.3.b', 'Chế biến từ gạo, ngũ cốc') },
  },
  {
    code: 'processed-vegetables-fruits',
    ordinal: 7,
    title: 'Chế biến từ rau, củ, quả, hạt',
    titleEn: 'Processed from vegetables, roots, fruit and nuts',
    productSet: { sector: FOOD, group: PROCESSED, subgroup: g('I.3.c', 'Chế biến từ rau, củ, quả, hạt') },
  },
  {
    code: 'processed-meat-fish-honey',
    ordinal: 8,
    title: 'Chế biến từ thịt, thủy sản, trứng, sữa, các sản phẩm từ mật ong, mật khác và nông sản thực phẩm khác',
    titleEn: 'Processed from meat, aquatic products, eggs, milk, honey, other syrups and other food produce',
    productSet: {
      sector: FOOD,
      group: PROCESSED,
      subgroup: g(
        'I.3.d',
        'Chế biến từ thịt, trứng, sữa, thủy sản, các sản phẩm từ mật ong, mật khác và nông sản thực phẩm khác',
      ),
    },
  },
  {
    code: 'sauces-fish-sauce',
    ordinal: 9,
    title: 'Tương, nước mắm, gia vị dạng lỏng khác',
    titleEn: 'Soy and bean sauces, fish sauce and other liquid condiments',
    productSet: { sector: FOOD, group: SPICE, subgroup: g('I.4.a', 'Tương, nước mắm, gia vị dạng lỏng khác') },
  },
  {
    code: 'other-spices',
    ordinal: 10,
    title: 'Gia vị khác (muối, hành, tỏi, tiêu)',
    titleEn: 'Other spices (salt, shallot, garlic, pepper)',
    productSet: { sector: FOOD, group: SPICE, subgroup: g('I.4.b', 'Gia vị khác') },
  },
  {
    code: 'tea',
    ordinal: 11,
    title: 'Chè tươi, chè chế biến',
    titleEn: 'Fresh and processed tea',
    productSet: { sector: FOOD, group: TEA, subgroup: g('I.5.a', 'Chè tươi, chế biến') },
  },
  {
    code: 'herbal-tea',
    ordinal: 12,
    title: 'Sản phẩm trà từ thực vật khác',
    titleEn: 'Infusions from other plants',
    productSet: { sector: FOOD, group: TEA, subgroup: g('I.5.b', 'Sản phẩm chè từ thực vật khác') },
  },
  {
    code: 'coffee-cocoa',
    ordinal: 13,
    title: 'Cà phê, cacao',
    titleEn: 'Coffee and cocoa',
    productSet: { sector: FOOD, group: g('I.6', 'Cà phê, ca cao'), subgroup: null },
  },
  {
    code: 'white-spirits',
    ordinal: 14,
    title: 'Rượu trắng',
    titleEn: 'White spirits',
    productSet: { sector: DRINK, group: ALCOHOL, subgroup: g('II.1.a', 'Rượu trắng') },
  },
  {
    code: 'other-alcoholic-drinks',
    ordinal: 15,
    title: 'Đồ uống có cồn khác',
    titleEn: 'Other alcoholic drinks',
    productSet: { sector: DRINK, group: ALCOHOL, subgroup: g('II.1.b', 'Đồ uống có cồn khác') },
  },
  {
    code: 'mineral-bottled-water',
    ordinal: 16,
    title: 'Nước khoáng thiên nhiên, nước uống đóng chai',
    titleEn: 'Natural mineral water and bottled drinking water',
    productSet: {
      sector: DRINK,
      group: SOFT,
      subgroup: g('II.2.a', 'Nước khoáng thiên nhiên, nước uống đóng chai'),
    },
  },
  {
    code: 'other-soft-drinks',
    ordinal: 17,
    title: 'Đồ uống không cồn khác',
    titleEn: 'Other non-alcoholic drinks',
    productSet: { sector: DRINK, group: SOFT, subgroup: g('II.2.b', 'Đồ uống không cồn') },
  },
  {
    code: 'supplements-herbal-medicines',
    ordinal: 18,
    title: 'Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền',
    titleEn: 'Health supplements, herbal and traditional medicines',
    productSet: {
      sector: HERBAL,
      group: g('III.1', 'Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền'),
      subgroup: null,
    },
  },
  {
    code: 'herbal-cosmetics',
    ordinal: 19,
    title: 'Mỹ phẩm có thành phần từ dược liệu',
    titleEn: 'Cosmetics with herbal ingredients',
    productSet: { sector: HERBAL, group: g('III.2', 'Mỹ phẩm có thành phần từ dược liệu'), subgroup: null },
  },
  {
    code: 'essential-oils-other-herbs',
    ordinal: 20,
    title: 'Tinh dầu và dược liệu khác',
    titleEn: 'Essential oils and other herbal products',
    productSet: { sector: HERBAL, group: g('III.3', 'Tinh dầu và dược liệu khác'), subgroup: null },
  },
  {
    code: 'handicrafts',
    ordinal: 21,
    title: 'Thủ công mỹ nghệ',
    titleEn: 'Handicrafts',
    productSet: { sector: CRAFT, group: g('IV.1', 'Thủ công mỹ nghệ gia dụng, trang trí'), subgroup: null },
  },
  {
    code: 'textiles-garments',
    ordinal: 22,
    title: 'Vải, may mặc',
    titleEn: 'Textiles and garments',
    productSet: { sector: CRAFT, group: g('IV.2', 'Vải, may mặc'), subgroup: null },
  },
  {
    code: 'flowers',
    ordinal: 23,
    title: 'Hoa',
    titleEn: 'Flowers',
    productSet: { sector: ORNAMENTAL, group: g('V.1', 'Hoa'), subgroup: null },
  },
  {
    code: 'ornamental-plants',
    ordinal: 24,
    title: 'Cây cảnh',
    titleEn: 'Ornamental plants',
    productSet: { sector: ORNAMENTAL, group: g('V.2', 'Cây cảnh'), subgroup: null },
  },
  {
    code: 'ornamental-animals',
    ordinal: 25,
    title: 'Động vật cảnh',
    titleEn: 'Ornamental animals',
    productSet: { sector: ORNAMENTAL, group: g('V.3', 'Động vật cảnh'), subgroup: null },
  },
  {
    code: 'community-eco-tourism',
    ordinal: 26,
    title: 'Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch',
    titleEn: 'Community tourism, ecotourism and tourist destination services',
    productSet: {
      sector: TOURISM,
      group: g('VI.1', 'Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch'),
      subgroup: null,
    },
  },
];

const PRODUCT_SET_CODES: ReadonlySet<string> = new Set(PRODUCT_SETS.map((p) => p.code));

/** Whether `code` is one of the 26 product sets of Annex I (classification) and Annex II (score sheets), QĐ 26/2026. */
export function isProductSet(code: string): boolean {
  return PRODUCT_SET_CODES.has(code);
}

/**
 * Why `code` is not a product set of Annex I QĐ 26/2026, in Vietnamese and English; null when it is. Cases under the
 * older rule-sets are classified in the same 26 sets (the engine scores every council on Annex II's sheets).
 */
export function productSetIssue(code: string): { vi: string; en: string } | null {
  if (PRODUCT_SET_CODES.has(code)) return null;
  return {
    vi: `Mã bộ sản phẩm ${JSON.stringify(code)} không thuộc Danh mục phân loại sản phẩm (Phụ lục I, Quyết định 26/2026/QĐ-TTg); dùng một trong ${PRODUCT_SETS.length} mã, ví dụ "tea" (Chè tươi, chế biến).`,
    en: `Product set code ${JSON.stringify(code)} is not in the classification of Annex I, Decision 26/2026/QĐ-TTg; use one of the ${PRODUCT_SETS.length} codes, e.g. "tea".`,
  };
}
