import type { Channel } from '../../contracts';

/**
 * The demo directory: the Đắk Lắk People's Committee and the agencies in the recipients list
 * ("Nơi nhận") of the provincial directive on administrative reform this project was born from.
 *
 * `000.00.00.H15` is the province's code in the QCVN 102:2016 form (QCVN 102:2016 agency codes). The codes of the
 * departments, districts and other bodies below are ILLUSTRATIVE: they follow the same form
 * (`000.00.NN.H15`) but were not taken from the national register. Party and elected bodies get
 * the paper channel, as bodies without a document system of their own would.
 */
export interface DemoAgency {
  code: string;
  name: string;
  channel: Channel;
  groups: string[];
}

export const DEMO_PROVINCE = { code: '000.00.00.H15', name: 'Ủy ban nhân dân tỉnh Đắk Lắk' } as const;

export const DEMO_GROUPS = [
  { id: 'departments', name: 'Các sở, ban, ngành' },
  { id: 'districts', name: 'UBND các huyện, thị xã, thành phố' },
] as const;

const DEPARTMENTS = [
  'Sở Nội vụ',
  'Sở Kế hoạch và Đầu tư',
  'Sở Thông tin và Truyền thông',
  'Sở Tài chính',
  'Sở Văn hóa, Thể thao và Du lịch',
  'Sở Tư pháp',
  'Sở Xây dựng',
  'Sở Y tế',
  'Sở Giáo dục và Đào tạo',
  'Sở Tài nguyên và Môi trường',
  'Sở Công Thương',
  'Sở Giao thông vận tải',
  'Sở Lao động - Thương binh và Xã hội',
  'Sở Nông nghiệp và Phát triển nông thôn',
  'Sở Khoa học và Công nghệ',
  'Thanh tra tỉnh',
  'Ban Dân tộc tỉnh',
];

const DISTRICTS = [
  'UBND thành phố Buôn Ma Thuột',
  'UBND thị xã Buôn Hồ',
  "UBND huyện Ea H'Leo",
  'UBND huyện Ea Súp',
  'UBND huyện Buôn Đôn',
  "UBND huyện Cư M'gar",
  'UBND huyện Krông Búk',
  'UBND huyện Krông Năng',
  'UBND huyện Ea Kar',
  "UBND huyện M'Đrắk",
  'UBND huyện Krông Bông',
  'UBND huyện Krông Pắc',
  'UBND huyện Krông Ana',
  'UBND huyện Lắk',
  'UBND huyện Cư Kuin',
];

const OTHERS: Omit<DemoAgency, 'code'>[] = [
  { name: 'Báo Đắk Lắk', channel: 'hosted', groups: [] },
  { name: 'Đài Phát thanh và Truyền hình tỉnh Đắk Lắk', channel: 'hosted', groups: [] },
  { name: 'Thường trực Tỉnh ủy Đắk Lắk', channel: 'paper', groups: [] },
  { name: 'Thường trực Hội đồng nhân dân tỉnh Đắk Lắk', channel: 'paper', groups: [] },
  { name: 'Đoàn đại biểu Quốc hội tỉnh Đắk Lắk', channel: 'paper', groups: [] },
  { name: 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Đắk Lắk', channel: 'paper', groups: [] },
];

const code = (n: number): string => `000.00.${String(n).padStart(2, '0')}.H15`;

export const DEMO_AGENCIES: DemoAgency[] = [
  { ...DEMO_PROVINCE, channel: 'hosted', groups: [] },
  ...DEPARTMENTS.map((name, i) => ({ code: code(i + 1), name, channel: 'hosted' as const, groups: ['departments'] })),
  ...DISTRICTS.map((name, i) => ({ code: code(31 + i), name, channel: 'hosted' as const, groups: ['districts'] })),
  ...OTHERS.map((a, i) => ({ ...a, code: code(51 + i) })),
];
