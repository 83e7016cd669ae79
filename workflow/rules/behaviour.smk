# behaviour stage: rules land here.
