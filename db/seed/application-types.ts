import { sql } from 'drizzle-orm';
import { applicationTypes, type FormFieldDef, type Transaction } from '../schema';

/**
 * Traffic-bureau application types (车管业务), modelled on the 交管12123 forms: personal
 * details, the document concerned, uploads of what the counter would otherwise check. Time limits
 * are working days from submission. An agency edits these rows; nothing here is code.
 */

const NAME: FormFieldDef = { key: 'name', label: '姓名', kind: 'text', required: true, minLength: 2, maxLength: 30 };
const ID_NUMBER: FormFieldDef = { key: 'id_number', label: '身份证号码', kind: 'id_number', required: true };
const PHONE: FormFieldDef = { key: 'phone', label: '手机号码', kind: 'phone', required: true, hint: '用于接收办理进度短信' };
const PLATE_TYPE: FormFieldDef = {
  key: 'plate_type',
  label: '号牌种类',
  kind: 'selection',
  required: true,
  options: [
    { value: '02', label: '小型汽车' },
    { value: '52', label: '小型新能源汽车' },
    { value: '01', label: '大型汽车' },
    { value: '51', label: '大型新能源汽车' },
    { value: '07', label: '普通摩托车' },
  ],
};
const PLATE: FormFieldDef = { key: 'plate', label: '号牌号码', kind: 'plate', required: true, hint: '如 粤B12345' };
const DELIVERY: FormFieldDef = {
  key: 'delivery',
  label: '领取方式',
  kind: 'selection',
  required: true,
  options: [
    { value: 'counter', label: '到车管所窗口领取' },
    { value: 'post', label: 'EMS 邮寄到家' },
  ],
};
const ADDRESS: FormFieldDef = { key: 'mailing_address', label: '邮寄地址', kind: 'text', required: false, maxLength: 120, hint: '选择邮寄时填写' };

export const APPLICATION_TYPE_SEED = [
  {
    code: 'licence_renewal',
    name: '驾驶证期满换证',
    description: '机动车驾驶证有效期满前九十日内，可申请换领新证。请上传近期白底证件照和体检证明，审核通过后按您选择的方式领取新证。',
    materials: ['居民身份证', '机动车驾驶证', '县级或者部队团级以上医疗机构出具的有关身体条件的证明', '近期一寸白底免冠彩色照片'],
    timeLimitDays: 3,
    handlingRole: 'clerk',
    sortOrder: 1,
    formSchema: [
      NAME,
      ID_NUMBER,
      PHONE,
      {
        key: 'licence_class',
        label: '准驾车型',
        kind: 'selection',
        required: true,
        options: [
          { value: 'C1', label: 'C1 小型汽车' },
          { value: 'C2', label: 'C2 小型自动挡汽车' },
          { value: 'B1', label: 'B1 中型客车' },
          { value: 'B2', label: 'B2 大型货车' },
          { value: 'A1', label: 'A1 大型客车' },
          { value: 'A2', label: 'A2 牵引车' },
          { value: 'D', label: 'D 普通三轮摩托车' },
          { value: 'E', label: 'E 普通二轮摩托车' },
        ],
      },
      { key: 'expiry_date', label: '驾驶证有效期至', kind: 'date', required: true },
      DELIVERY,
      ADDRESS,
      { key: 'photo', label: '本人近期白底证件照', kind: 'file', required: true, maxFiles: 1 },
      { key: 'health_certificate', label: '身体条件证明', kind: 'file', required: true, maxFiles: 2 },
    ],
  },
  {
    code: 'contact_change',
    name: '驾驶证/行驶证联系方式变更',
    description: '变更驾驶证或机动车登记的联系电话、通信地址。变更后，违法、年审、换证等提醒将发送到新的联系方式。',
    materials: ['居民身份证'],
    timeLimitDays: 1,
    handlingRole: 'clerk',
    sortOrder: 2,
    formSchema: [
      NAME,
      ID_NUMBER,
      {
        key: 'document',
        label: '变更的证件',
        kind: 'selection',
        required: true,
        options: [
          { value: 'licence', label: '机动车驾驶证' },
          { value: 'vehicle', label: '机动车行驶证' },
          { value: 'both', label: '驾驶证和行驶证' },
        ],
      },
      { ...PLATE, required: false, hint: '变更行驶证时填写，如 粤B12345' },
      { key: 'new_phone', label: '新手机号码', kind: 'phone', required: true },
      { key: 'new_address', label: '新通信地址', kind: 'text', required: true, minLength: 5, maxLength: 120 },
      { key: 'postal_code', label: '邮政编码', kind: 'text', required: false, minLength: 6, maxLength: 6 },
    ],
  },
  {
    code: 'plate_replacement',
    name: '补领机动车号牌',
    description: '机动车号牌灭失、丢失或者损毁的，机动车所有人可申请补领、换领号牌。补领期间可申领临时行驶车号牌。',
    materials: ['机动车所有人身份证明', '机动车行驶证', '号牌被盗抢的，公安机关出具的报案回执'],
    timeLimitDays: 10,
    handlingRole: 'supervisor',
    sortOrder: 3,
    formSchema: [
      NAME,
      ID_NUMBER,
      PHONE,
      PLATE_TYPE,
      PLATE,
      {
        key: 'which_plates',
        label: '补领号牌',
        kind: 'selection',
        required: true,
        options: [
          { value: 'front', label: '前号牌' },
          { value: 'rear', label: '后号牌' },
          { value: 'both', label: '前后号牌' },
        ],
      },
      {
        key: 'reason',
        label: '补领原因',
        kind: 'selection',
        required: true,
        options: [
          { value: 'lost', label: '丢失' },
          { value: 'damaged', label: '损毁' },
          { value: 'stolen', label: '被盗' },
        ],
      },
      { key: 'vin_suffix', label: '车辆识别代号后6位', kind: 'text', required: true, minLength: 6, maxLength: 6 },
      DELIVERY,
      ADDRESS,
      { key: 'vehicle_licence_photo', label: '行驶证照片', kind: 'file', required: true, maxFiles: 2 },
      { key: 'police_receipt', label: '报案回执', kind: 'file', required: false, maxFiles: 3, hint: '号牌被盗时上传' },
    ],
  },
  {
    code: 'inspection_exempt',
    name: '申领机动车检验标志（免检）',
    description: '非营运小型、微型载客汽车（面包车除外）注册登记后第6年、第10年，可免于上线检验，直接申领电子检验合格标志。',
    materials: ['机动车行驶证', '机动车交通事故责任强制保险凭证', '车船税纳税或者免税证明'],
    timeLimitDays: 2,
    handlingRole: 'clerk',
    sortOrder: 4,
    formSchema: [
      NAME,
      ID_NUMBER,
      PHONE,
      PLATE_TYPE,
      PLATE,
      { key: 'registered_on', label: '注册登记日期', kind: 'date', required: true },
      { key: 'mileage_km', label: '行驶里程（公里）', kind: 'number', required: false, integer: true, min: 0, max: 2_000_000 },
      { key: 'insurance', label: '交强险保单', kind: 'file', required: true, maxFiles: 2 },
    ],
  },
] as const satisfies readonly (Omit<typeof applicationTypes.$inferInsert, 'formSchema' | 'materials'> & { formSchema: readonly FormFieldDef[]; materials: readonly string[] })[];

export async function seedApplicationTypes(tx: Transaction): Promise<void> {
  await tx
    .insert(applicationTypes)
    .values(APPLICATION_TYPE_SEED.map((t) => ({ ...t, formSchema: t.formSchema.map((f) => ({ ...f })) as FormFieldDef[], materials: [...t.materials] })))
    // An agency may have created a type with the same code already: theirs stays.
    .onDuplicateKeyUpdate({ set: { code: sql`${applicationTypes.code}` } });
}
