//! Profiles: which stored identities exist, which one is current, and how a selector picks one.
//!
//! The profile list lives in a plain `profiles.json` (mode `0600`) that never holds a secret; the tokens live in the
//! encrypted [`TokenStore`](crate::TokenStore) under the same `corpId:userId` identity.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::store::write_atomic;

/// One profile: an identity plus the names people select it by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Profile {
    /// `corpId:userId`.
    pub id: String,
    /// The organisation.
    pub corp_id: String,
    /// The user id.
    pub user_id: String,
    /// A user-chosen name (defaults to the user's display name).
    pub name: String,
    /// The app (client id) the profile logs in with.
    #[serde(default)]
    pub client_id: String,
    /// The user's union id, when known.
    #[serde(default)]
    pub union_id: Option<String>,
    /// Whether the profile belongs to the sandbox (kept apart from real ones).
    #[serde(default)]
    pub sandbox: bool,
}

impl Profile {
    /// A profile for `corp_id:user_id` named `name`.
    pub fn new(corp_id: &str, user_id: &str, name: &str) -> Self {
        Self {
            id: format!("{corp_id}:{user_id}"),
            corp_id: corp_id.to_owned(),
            user_id: user_id.to_owned(),
            name: name.to_owned(),
            client_id: String::new(),
            union_id: None,
            sandbox: false,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ProfilesFile {
    #[serde(default)]
    current: Option<String>,
    #[serde(default)]
    previous: Option<String>,
    #[serde(default)]
    profiles: Vec<Profile>,
}

/// The profile list in one file.
#[derive(Debug)]
pub struct Profiles {
    path: PathBuf,
    data: ProfilesFile,
}

impl Profiles {
    /// Loads `path` (a missing file is an empty list). A file that is not a profile list is an error and is left
    /// untouched.
    pub fn load(path: impl Into<PathBuf>) -> Result<Self, Error> {
        let path = path.into();
        let data = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::msg(ErrorKind::StoreUnreadable, "profiles.json is not a profile list").with_source(e)
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ProfilesFile::default(),
            Err(e) => return Err(e.into()),
        };
        Ok(Self { path, data })
    }

    /// Writes the list back atomically.
    pub fn save(&self) -> Result<(), Error> {
        if let Some(dir) = self.path.parent() {
            crate::store::ensure_private_dir(dir)?;
        }
        let bytes =
            serde_json::to_vec_pretty(&self.data).map_err(|e| Error::new(ErrorKind::Io).with_source(e))?;
        write_atomic(&self.path, &bytes)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every profile, in insertion order.
    pub fn list(&self) -> &[Profile] {
        &self.data.profiles
    }

    /// The current profile, if any.
    pub fn current(&self) -> Option<&Profile> {
        let id = self.data.current.as_deref()?;
        self.data.profiles.iter().find(|p| p.id == id)
    }

    /// Adds or replaces a profile (matched by id) and makes it current.
    pub fn upsert(&mut self, profile: Profile) {
        let id = profile.id.clone();
        match self.data.profiles.iter_mut().find(|p| p.id == id) {
            Some(existing) => *existing = profile,
            None => self.data.profiles.push(profile),
        }
        self.set_current(id);
    }

    /// Finds the profile a selector names: an exact `corpId:userId`, a `corpId` with one profile, or a name
    /// (case-insensitive).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ProfileNotFound`] when nothing matches, [`ErrorKind::AmbiguousProfile`] (listing the candidates)
    /// when several do.
    pub fn select(&self, selector: &str) -> Result<&Profile, Error> {
        let selector = selector.trim();
        if selector.is_empty() {
            return Err(Error::msg(ErrorKind::Invalid, "empty profile selector"));
        }
        if let Some(exact) = self.data.profiles.iter().find(|p| p.id == selector) {
            return Ok(exact);
        }
        let matches: Vec<&Profile> = self
            .data
            .profiles
            .iter()
            .filter(|p| p.corp_id == selector || p.name.eq_ignore_ascii_case(selector))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::msg(
                ErrorKind::ProfileNotFound,
                format!("no profile matches {selector:?}"),
            )),
            many => {
                let candidates: Vec<String> = many.iter().map(|p| format!("{} ({})", p.id, p.name)).collect();
                Err(Error::msg(
                    ErrorKind::AmbiguousProfile,
                    format!("{selector:?} matches several profiles: {}", candidates.join(", ")),
                ))
            }
        }
    }

    /// Makes the selected profile current, remembering the previous one for [`use_previous`](Self::use_previous).
    pub fn use_profile(&mut self, selector: &str) -> Result<Profile, Error> {
        let profile = self.select(selector)?.clone();
        self.set_current(profile.id.clone());
        Ok(profile)
    }

    /// Switches back to the previous profile (`dws profile use -`).
    pub fn use_previous(&mut self) -> Result<Profile, Error> {
        let previous = self
            .data
            .previous
            .clone()
            .ok_or_else(|| Error::msg(ErrorKind::ProfileNotFound, "there is no previous profile"))?;
        self.use_profile(&previous)
    }

    /// Resolves the profile for one call: the selector when given, else the current profile.
    pub fn resolve(&self, selector: Option<&str>) -> Result<&Profile, Error> {
        match selector {
            Some(selector) => self.select(selector),
            None => self.current().ok_or_else(|| Error::new(ErrorKind::NotLoggedIn)),
        }
    }

    /// Renames the selected profile.
    pub fn rename(&mut self, selector: &str, name: &str) -> Result<(), Error> {
        let id = self.select(selector)?.id.clone();
        if let Some(profile) = self.data.profiles.iter_mut().find(|p| p.id == id) {
            name.clone_into(&mut profile.name);
        }
        Ok(())
    }

    /// Removes the selected profile, returning it.
    pub fn remove(&mut self, selector: &str) -> Result<Profile, Error> {
        let id = self.select(selector)?.id.clone();
        let index = self.data.profiles.iter().position(|p| p.id == id).unwrap_or(0);
        let removed = self.data.profiles.remove(index);
        if self.data.current.as_deref() == Some(id.as_str()) {
            self.data.current = None;
        }
        if self.data.previous.as_deref() == Some(id.as_str()) {
            self.data.previous = None;
        }
        Ok(removed)
    }

    fn set_current(&mut self, id: String) {
        if self.data.current.as_deref() != Some(id.as_str()) {
            self.data.previous = self.data.current.take();
            self.data.current = Some(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles() -> Profiles {
        let mut p = Profiles {
            path: PathBuf::from("/nonexistent/profiles.json"),
            data: ProfilesFile::default(),
        };
        p.upsert(Profile::new("dingcorpA", "u1", "Alice"));
        p.upsert(Profile::new("dingcorpA", "u2", "Bob"));
        p.upsert(Profile::new("dingcorpB", "u3", "alice"));
        p
    }

    #[test]
    fn selectors() {
        let p = profiles();
        assert_eq!(p.select("dingcorpA:u2").unwrap().name, "Bob");
        assert_eq!(p.select("dingcorpB").unwrap().id, "dingcorpB:u3");
        assert_eq!(p.select("bob").unwrap().id, "dingcorpA:u2");
        assert_eq!(
            p.select("dingcorpA").unwrap_err().kind(),
            ErrorKind::AmbiguousProfile
        );
        let ambiguous = p.select("ALICE").unwrap_err();
        assert_eq!(ambiguous.kind(), ErrorKind::AmbiguousProfile);
        let message = std::error::Error::source(&ambiguous).unwrap().to_string();
        assert!(
            message.contains("dingcorpA:u1") && message.contains("dingcorpB:u3"),
            "{message}"
        );
        assert_eq!(p.select("nobody").unwrap_err().kind(), ErrorKind::ProfileNotFound);
    }

    #[test]
    fn switch_and_switch_back() {
        let mut p = profiles();
        assert_eq!(p.current().unwrap().id, "dingcorpB:u3");
        p.use_profile("dingcorpA:u1").unwrap();
        assert_eq!(p.current().unwrap().name, "Alice");
        p.use_previous().unwrap();
        assert_eq!(p.current().unwrap().id, "dingcorpB:u3");
        p.use_previous().unwrap();
        assert_eq!(p.current().unwrap().id, "dingcorpA:u1");
        assert_eq!(p.resolve(Some("Bob")).unwrap().id, "dingcorpA:u2");
        assert_eq!(p.resolve(None).unwrap().id, "dingcorpA:u1");
        p.rename("Bob", "Robert").unwrap();
        assert_eq!(p.select("robert").unwrap().id, "dingcorpA:u2");
        p.remove("dingcorpA:u1").unwrap();
        assert!(p.current().is_none());
        assert_eq!(p.resolve(None).unwrap_err().kind(), ErrorKind::NotLoggedIn);
    }
}
