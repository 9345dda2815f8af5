package idp

import (
	"context"
	"strings"

	"github.com/cognitod/cognitod/internal/api"
)

// Tags live in the pool document (Type.UserPoolTags), so DescribeUserPool,
// CreateUserPool's UserPoolTags and these operations share one set.

// poolIDFromARN reads the pool id out of a user pool ARN of this region and
// account: arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>.
func (s *Service) poolIDFromARN(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[2] == "cognito-idp" &&
		parts[3] == s.Config.Region && parts[4] == s.Config.AccountID {
		if id, ok := strings.CutPrefix(parts[5], "userpool/"); ok && id != "" && !strings.Contains(id, "/") {
			return id, nil
		}
	}
	return "", api.ResourceNotFound("Resource %s does not exist.", arn)
}

// TagResource adds tags to a pool, replacing the values of keys it has.
func (s *Service) TagResource(ctx context.Context, in *api.TagResourceRequest) (*api.TagResourceResponse, error) {
	id, err := s.poolIDFromARN(api.ToString(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	_, err = s.updatePool(ctx, id, func(p *pool) error {
		tags := poolCopyTags(p.Type.UserPoolTags)
		for k, v := range in.Tags {
			tags[k] = v
		}
		if err := checkPoolTagCount(tags); err != nil {
			return err
		}
		p.Type.UserPoolTags = tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.TagResourceResponse{}, nil
}

// UntagResource removes tags from a pool; keys it does not have are ignored.
func (s *Service) UntagResource(ctx context.Context, in *api.UntagResourceRequest) (*api.UntagResourceResponse, error) {
	id, err := s.poolIDFromARN(api.ToString(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	_, err = s.updatePool(ctx, id, func(p *pool) error {
		tags := poolCopyTags(p.Type.UserPoolTags)
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		p.Type.UserPoolTags = tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.UntagResourceResponse{}, nil
}

// ListTagsForResource lists a pool's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *api.ListTagsForResourceRequest) (*api.ListTagsForResourceResponse, error) {
	id, err := s.poolIDFromARN(api.ToString(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	p, err := s.getPool(ctx, id)
	if err != nil {
		return nil, err
	}
	return &api.ListTagsForResourceResponse{Tags: poolCopyTags(p.Type.UserPoolTags)}, nil
}
