// The demo hall seeded on the first start with an empty database: a realistic county-level 政务服务中心.
import { CatalogueFile } from '../shared/catalogue.ts';
import type { DeviceKind } from '../shared/protocol.ts';
import type { HallStore } from './store/hall-store.ts';

const n = (zh: string, en: string) => ({ zh, en });

const ALL = ['id-card', 'hukou', 'passport', 'social-insurance', 'pension', 'medical-insurance', 'housing-fund', 'real-estate', 'company', 'tax', 'consult', 'pickup'];
const primary = (...ids: string[]) => ids.map((serviceId) => ({ serviceId, level: 'primary' as const }));
const backup = (...ids: string[]) => ids.map((serviceId) => ({ serviceId, level: 'backup' as const }));

export const DEMO_CATALOGUE = CatalogueFile.parse({
  settings: {
    name: n('示范区政务服务中心', 'Demo District Government Service Centre'),
    timeZone: 'Asia/Shanghai',
    notice: '请留意叫号，过号请到原窗口重新排队；老年人、残疾人、现役军人可走绿色通道。',
  },
  categories: [
    { id: 'huji', names: n('户籍与身份证', 'Household registration & ID') },
    { id: 'churujing', names: n('出入境', 'Exit & entry') },
    { id: 'shebao', names: n('社保', 'Social insurance') },
    { id: 'yibao', names: n('医保', 'Medical insurance') },
    { id: 'gongjijin', names: n('公积金', 'Housing fund') },
    { id: 'budongchan', names: n('不动产登记', 'Real estate registration') },
    { id: 'qiye', names: n('企业开办与税务', 'Business & tax') },
    { id: 'zixun', names: n('综合咨询与领证', 'Enquiries & collection') },
  ],
  services: [
    {
      id: 'id-card', code: 'HJ-001', prefix: 'A', categoryId: 'huji', names: n('居民身份证办理', 'Resident ID card'),
      maxWaitMinutes: 30, handlingMinutesSeed: 6,
      guide: n('请携带户口簿或旧身份证；现场采集照片和指纹。', 'Bring your household register or old ID card; photo and fingerprints are taken here.'),
    },
    {
      id: 'hukou', code: 'HJ-002', prefix: 'B', categoryId: 'huji', names: n('户口迁移登记', 'Household registration transfer'),
      idRequired: true, perIdDailyLimit: 2, maxWaitMinutes: 40, handlingMinutesSeed: 12,
      guide: n('请携带户口簿、身份证及迁入地证明材料。', 'Bring your household register, ID card and proof of the new address.'),
    },
    {
      id: 'passport', code: 'CRJ-001', prefix: 'C', categoryId: 'churujing', names: n('出入境证件办理', 'Passports & travel permits'),
      maxWaitMinutes: 40, handlingMinutesSeed: 10,
      guide: n('请携带身份证；现场拍照。', 'Bring your ID card; photos are taken here.'),
    },
    {
      id: 'social-insurance', code: 'SB-001', prefix: 'D', categoryId: 'shebao', names: n('社保参保登记', 'Social insurance enrolment'),
      maxWaitMinutes: 30, handlingMinutesSeed: 8,
      guide: n('请携带身份证；单位参保请带营业执照。', 'Bring your ID card; employers bring the business licence.'),
    },
    {
      id: 'pension', code: 'SB-002', prefix: 'E', categoryId: 'shebao', names: n('养老保险待遇', 'Pension benefits'),
      maxWaitMinutes: 30, handlingMinutesSeed: 10,
      guide: n('请携带身份证和银行卡。', 'Bring your ID card and bank card.'),
    },
    {
      id: 'medical-insurance', code: 'YB-001', prefix: 'F', categoryId: 'yibao', names: n('医保报销与备案', 'Medical insurance claims'),
      maxWaitMinutes: 30, handlingMinutesSeed: 9,
      guide: n('请携带医保卡、发票和费用清单。', 'Bring your insurance card, invoices and the itemised bill.'),
    },
    {
      id: 'housing-fund', code: 'GJJ-001', prefix: 'G', categoryId: 'gongjijin', names: n('公积金提取', 'Housing fund withdrawal'),
      idRequired: true, perIdDailyLimit: 1, maxWaitMinutes: 40, handlingMinutesSeed: 12,
      guide: n('请携带身份证、银行卡及提取证明材料。', 'Bring your ID card, bank card and proof for the withdrawal.'),
    },
    {
      id: 'real-estate', code: 'BDC-001', prefix: 'H', categoryId: 'budongchan', names: n('不动产登记', 'Real estate registration'),
      dailyQuota: 150, idRequired: true, perIdDailyLimit: 2, maxWaitMinutes: 45, handlingMinutesSeed: 20,
      guide: n('请携带身份证、购房合同、完税证明。', 'Bring your ID card, purchase contract and tax certificate.'),
    },
    {
      id: 'company', code: 'QY-001', prefix: 'J', categoryId: 'qiye', names: n('企业开办', 'Starting a business'),
      maxWaitMinutes: 40, handlingMinutesSeed: 15,
      guide: n('请携带法定代表人身份证、公司章程、住所证明。', "Bring the legal representative's ID, articles of association and proof of address."),
    },
    {
      id: 'tax', code: 'SW-001', prefix: 'K', categoryId: 'qiye', names: n('税务办理', 'Tax matters'),
      maxWaitMinutes: 30, handlingMinutesSeed: 10,
      guide: n('请携带营业执照和经办人身份证。', "Bring the business licence and the agent's ID card."),
    },
    {
      id: 'consult', code: 'ZX-001', prefix: 'L', categoryId: 'zixun', names: n('综合咨询', 'General enquiries'),
      maxWaitMinutes: 20, handlingMinutesSeed: 4,
      guide: n('不清楚办什么？先到这里问一问。', 'Not sure what you need? Ask here first.'),
    },
    {
      id: 'pickup', code: 'LZ-001', prefix: 'M', categoryId: 'zixun', names: n('领证出件', 'Certificate collection'),
      maxWaitMinutes: 15, handlingMinutesSeed: 3,
      guide: n('请携带受理回执和身份证。', 'Bring the acceptance receipt and your ID card.'),
    },
  ],
  counters: [
    { id: 'c1', number: 1, name: '综合窗口', kind: 'comprehensive', area: '1F', services: [...primary('id-card', 'hukou', 'passport'), ...backup('social-insurance', 'pension', 'consult')] },
    { id: 'c2', number: 2, name: '综合窗口', kind: 'comprehensive', area: '1F', services: [...primary('social-insurance', 'pension', 'medical-insurance'), ...backup('id-card', 'housing-fund', 'consult')] },
    { id: 'c3', number: 3, name: '综合窗口', kind: 'comprehensive', area: '1F', services: [...primary('housing-fund', 'real-estate'), ...backup('social-insurance', 'medical-insurance', 'tax')] },
    { id: 'c4', number: 4, name: '综合窗口', kind: 'comprehensive', area: '1F', services: [...primary('company', 'tax'), ...backup('real-estate', 'consult')] },
    { id: 'c5', number: 5, name: '出入境窗口', kind: 'dedicated', area: '2F', services: primary('passport') },
    { id: 'c6', number: 6, name: '领证出件窗口', kind: 'dedicated', area: '2F', services: [...primary('pickup'), ...backup('consult')] },
    { id: 'c7', number: 7, name: '帮办代办窗口', kind: 'assisted', area: '1F', services: [...primary('consult'), ...backup(...ALL.filter((s) => s !== 'consult'))] },
    { id: 'c8', number: 8, name: '绿色通道窗口', kind: 'priority', area: '1F', services: backup(...ALL) },
  ],
});

export const DEMO_PASSWORD = 'demo1234';

export interface DemoCredentials {
  devices: { kind: DeviceKind; name: string; counterNumber: number | null; token: string }[];
  staff: { login: string; name: string; role: string; password: string }[];
}

const DEMO_STAFF = [
  ['clerk1', '王丽'], ['clerk2', '李强'], ['clerk3', '张敏'], ['clerk4', '刘洋'],
  ['clerk5', '陈静'], ['clerk6', '杨帆'], ['clerk7', '赵芳'], ['clerk8', '黄磊'],
] as const;

/** Seeds the demo hall. Demo device tokens are fixed and printed: a demo hall is for trying, not for production. */
export function seedDemoHall(store: HallStore, now: number): DemoCredentials {
  store.importCatalogue(DEMO_CATALOGUE, now);
  const devices: DemoCredentials['devices'] = [];
  const add = (kind: DeviceKind, name: string, token: string, counterNumber?: number, area?: string) => {
    store.addDevice({ kind, name, token, ...(counterNumber ? { counterNumber } : {}), ...(area ? { area } : {}) }, now);
    devices.push({ kind, name, counterNumber: counterNumber ?? null, token });
  };
  add('kiosk', '大厅取号机 1', 'demo-kiosk-1');
  add('kiosk', '大厅取号机 2', 'demo-kiosk-2');
  add('display', '一楼综合屏', 'demo-display-1');
  add('manager', '大厅管理', 'demo-manager-1');
  for (const c of DEMO_CATALOGUE.counters) {
    add('counter', `${c.number}号窗口终端`, `demo-counter-${c.number}`, c.number);
    add('evaluator', `${c.number}号窗口评价器`, `demo-evaluator-${c.number}`, c.number);
  }
  const staff: DemoCredentials['staff'] = [];
  for (const [login, name] of DEMO_STAFF) {
    store.addStaff({ login, name, password: DEMO_PASSWORD, role: 'clerk' }, now);
    staff.push({ login, name, role: 'clerk', password: DEMO_PASSWORD });
  }
  store.addStaff({ login: 'manager', name: '周主任', password: DEMO_PASSWORD, role: 'manager' }, now);
  staff.push({ login: 'manager', name: '周主任', role: 'manager', password: DEMO_PASSWORD });
  return { devices, staff };
}
