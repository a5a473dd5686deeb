import {
  Content,
  ContentHeader,
  Header,
  Page,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import { FleetSection, fleetSections } from './fleetSections';

/** `/tracing-health`: the platform team's view of tracing across the fleet, one section per feature. */
export function FleetPage(props: { sections?: FleetSection[] }) {
  const sections = props.sections ?? fleetSections;
  return (
    <Page themeId="tool">
      <Header
        title="Tracing Health"
        subtitle="Trace coverage, health and sampling across the fleet"
      />
      <Content>
        {sections.map(section => (
          <Box
            component="section"
            key={section.id}
            mb={4}
            aria-label={section.title}
          >
            <ContentHeader title={section.title} />
            {section.render()}
          </Box>
        ))}
      </Content>
    </Page>
  );
}
