import { mount } from '../shared/mount.tsx';
import { TrackPage } from './Track.tsx';

mount(<TrackPage />);
