// A properties-panel provider adding a "Motcua" group: lane role, user task form/step/duration, process code/limits.
import { SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { createElement as h } from '@bpmn-io/properties-panel/preact';
import { useService } from 'bpmn-js-properties-panel';
import { is } from 'bpmn-js/lib/util/ModelUtil';

import { getProperty, setProperty } from './properties.js';

// [code kept in the model, what the designer reads]
const STEP_KINDS = [['intake', 'Tiếp nhận'], ['appraisal', 'Thẩm định'], ['approval', 'Phê duyệt'],
  ['stamping', 'Đóng dấu, phát hành'], ['return', 'Trả kết quả']];
const ROLES = [['receiver', 'Cán bộ tiếp nhận'], ['specialist', 'Chuyên viên thẩm định'],
  ['leader', 'Lãnh đạo phê duyệt'], ['clerk', 'Văn thư'], ['returner', 'Cán bộ trả kết quả']];

function fieldsFor(element) {
  if (is(element, 'bpmn:Lane')) {
    return [['role', 'Vai trò (role)', ROLES]];
  }
  if (is(element, 'bpmn:UserTask') || is(element, 'bpmn:ManualTask')) {
    return [['form_key', 'Biểu mẫu (form_key)'], ['step_kind', 'Loại bước (step_kind)', STEP_KINDS],
      ['duration_days', 'Thời gian (ngày làm việc)'], ['agency', 'Đơn vị (agency, tuỳ chọn)']];
  }
  if (is(element, 'bpmn:Process') || is(element, 'bpmn:Participant')) {
    return [['procedure_code', 'Mã thủ tục (procedure_code)'], ['legal_days', 'Thời hạn (legal_days)'],
      ['cutoff', 'Giờ nhận muộn nhất (cutoff)']];
  }
  return [];
}

function PropertyField(props) {
  const { element, id, name, label, options } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  const getValue = () => getProperty(element, name) || '';
  const setValue = (value) => setProperty(injector, element, name, (value || '').trim());
  if (options) {
    const getOptions = () => [{ value: '', label: '— chưa chọn —' },
      ...options.map(([value, text]) => ({ value, label: `${text} (${value})` }))];
    return h(SelectEntry, { element, id, label, getValue, setValue, getOptions });
  }
  return h(TextFieldEntry, { element, id, label, getValue, setValue, debounce });
}

export default function MotcuaPropertiesProvider(propertiesPanel, translate) {
  this.getGroups = (element) => (groups) => {
    const fields = fieldsFor(element);
    if (!fields.length) {
      return groups;
    }
    const entries = fields.map(([name, label, options]) => ({
      id: `motcua-${name}`, element, name, label, options,
      component: PropertyField,
      isEdited: options ? isSelectEntryEdited : isTextFieldEntryEdited,
    }));
    return [{ id: 'motcua', label: translate('Motcua'), entries }, ...groups];
  };
  propertiesPanel.registerProvider(500, this);
}
MotcuaPropertiesProvider.$inject = ['propertiesPanel', 'translate'];
