// Read and write our `spiffworkflow:property` name/value pairs on a BPMN business object, as undoable commands.
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

export function ownerOf(element) {
  const bo = getBusinessObject(element);
  if (is(element, 'bpmn:Participant')) {
    return bo.get('processRef');
  }
  return bo;
}

function propertiesContainer(bo) {
  const ext = bo && bo.get('extensionElements');
  return ext && ext.get('values').find((value) => is(value, 'spiffworkflow:Properties'));
}

export function getProperty(element, name) {
  const container = propertiesContainer(ownerOf(element));
  const property = container && container.get('properties').find((p) => p.name === name);
  return property ? property.value : undefined;
}

export function setProperty(injector, element, name, value) {
  const bpmnFactory = injector.get('bpmnFactory');
  const modeling = injector.get('modeling');
  const bo = ownerOf(element);
  let ext = bo.get('extensionElements');
  if (!ext) {
    ext = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = bo;
    modeling.updateModdleProperties(element, bo, { extensionElements: ext });
  }
  let container = propertiesContainer(bo);
  if (!container) {
    container = bpmnFactory.create('spiffworkflow:Properties', { properties: [] });
    container.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [...ext.get('values'), container] });
  }
  const existing = container.get('properties').find((p) => p.name === name);
  if (value === '' || value === undefined) {
    if (existing) {
      modeling.updateModdleProperties(element, container,
        { properties: container.get('properties').filter((p) => p !== existing) });
    }
  } else if (existing) {
    modeling.updateModdleProperties(element, existing, { value });
  } else {
    const property = bpmnFactory.create('spiffworkflow:Property', { name, value });
    property.$parent = container;
    modeling.updateModdleProperties(element, container, { properties: [...container.get('properties'), property] });
  }
}
